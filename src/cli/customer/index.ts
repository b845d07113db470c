export { registerCustomerCommands } from './commands.js';
