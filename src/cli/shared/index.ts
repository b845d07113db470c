export { registerCommerceCommands } from './commerce.js';
export { numberArg } from './commerceSupport.js';
