export { invoicesProjection, INVOICES_PROJECTION } from './projection.js';
export { getInvoice, listInvoices, type InvoiceDunning, type InvoiceView, type InvoiceFilter, type InvoiceKey } from './queries.js';
export type { InvoicesTable, InvoiceLinesTable } from './table.js';
export type { InvoiceTables } from './table.js';
