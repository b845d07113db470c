export { createRefunds, REFUNDS, refundIdFor, type RefundJob, type Refunds } from './refunds.js';
