export { messageIdOf, webhooksProjection, WEBHOOKS_PROJECTION } from './projection.js';
export type { DeliveryStatus, WebhookTables } from './table.js';
