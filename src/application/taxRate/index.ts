export { checkActiveTaxRate, createTaxRateCommands, presentTaxRate, taxRateChoice, taxRateExists, taxRateInput, taxRates, type TaxRateCommands } from './commands.js';
