export { billingTriggers } from './triggers.js';
