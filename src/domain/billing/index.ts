export { billableItems, billingAt, effectiveAt, type BillingAt } from './owed.js';
export { byInvoice, type BillableItem, type BillableItemType, type BillingEvent } from './items.js';
export { coveredKeys, discountSpans, type DiscountSpan } from './discounts.js';
