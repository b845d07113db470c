export type { BillingDueTables } from './due.js';
export { billingDueProjection, BILLING_DUE_PROJECTION, dueSubscriptions, subscriptionsDueWhen, moveDue, moveDueMany } from './due.js';
