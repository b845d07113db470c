export { createBilling, type Billing } from './billSubscription.js';
export { runBilling } from './billingRun.js';
