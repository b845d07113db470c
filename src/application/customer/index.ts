export { createCustomerCommands, customerExists, customers, type CustomerCommands, type UserExists } from './commands.js';
export { ownsCustomer } from './commands.js';
