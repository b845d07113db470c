export { registerTaxRateCommands } from './commands.js';
