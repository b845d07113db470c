export type { InvoiceNumberTables } from './numbering.js';
export { createInvoiceCommands, invoices, type InvoiceCommands } from './commands.js';
export { invoiceIdFor } from './invoiceIds.js';
export { invoiceNumberFor, numbersWithin } from './numbering.js';
export { presentInvoice, type DunningFacts } from './present.js';
export { creditGrantCommandId, creditGrantFor, creditGrantOf } from './creditGrant.js';
