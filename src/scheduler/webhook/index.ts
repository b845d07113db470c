export { webhookTriggers, type WebhookTriggersDeps } from './triggers.js';
