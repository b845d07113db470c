export { startRole, startSystem, type System } from './system.js';
