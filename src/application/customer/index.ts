export { createCustomerCommands, customerExists, customers, type CustomerCommands, type UserExists } from './commands.js';
export { ownsCustomer } from './commands.js';
export { presentCustomer } from './present.js';
export { customerInput, customerPatch, paymentMethodInput, creditInput } from './schemas.js';
