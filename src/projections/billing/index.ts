export type { BillingDueTables } from './due.js';
export { billingDueProjection, BILLING_DUE_PROJECTION, dueSubscriptions, moveDue, moveDueMany } from './due.js';
