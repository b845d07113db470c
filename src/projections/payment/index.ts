export { paymentsProjection, PAYMENTS_PROJECTION } from './projection.js';
export { listPayments, type PaymentFilter, type PaymentKey, type PaymentView } from './queries.js';
export { PAYMENT_STATUSES, type PaymentInvoicesTable, type PaymentStatus, type PaymentsTable } from './table.js';
export type { PaymentTables } from './table.js';
