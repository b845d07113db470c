export { registerCouponCommands } from './commands.js';
