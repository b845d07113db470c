export { messageIdOf, messageRowsOf, WEBHOOK_FILTER, webhooksProjection, WEBHOOKS_PROJECTION } from './projection.js';
export type { DeliveryStatus, WebhookTables } from './table.js';
