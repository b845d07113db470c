export type * from './types.js';
export { webhookEndpointDecider } from './decider.js';
export { WEBHOOK_EVENT_TYPES, WEBHOOK_SOURCE_EVENTS, webhookMessageOf, type WebhookEventType, type WebhookMessage } from './messages.js';

export const webhookEndpointStreamName = (endpointId: string): string => `webhook_endpoint-${endpointId}`;
