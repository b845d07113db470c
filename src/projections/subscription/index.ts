export { subscriptionsProjection, SUBSCRIPTIONS_PROJECTION } from './projection.js';
export { getSubscription, listSubscriptions, type SubscriptionView, type SubscriptionFilter } from './queries.js';
export type { SubscriptionsTable } from './table.js';
export type { SubscriptionTables } from './table.js';
