export { createTaxRateCommands, presentTaxRate, taxRateExists, taxRateInput, taxRates, type TaxRateCommands } from './commands.js';
