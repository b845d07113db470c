export { attemptDelivery, FAILING_DISABLES_AFTER_MS, MAX_ATTEMPTS, RETRY_DELAYS_MS, type DeliveryDeps } from './delivery.js';
export { disableFailingEndpoint } from './disable.js';
export {
  createWebhookEndpoints,
  endpointExists,
  endpointInput,
  endpointPatch,
  presentEndpoint,
  replayInput,
  rotateInput,
  webhookEndpoints,
  type ExistingEndpoint,
  type WebhookEndpoints,
} from './endpoints.js';
export { createWebhookJobs, WEBHOOKS, type WebhookJob, type WebhookJobs } from './jobs.js';
export { isPublicAddress, postWebhook } from './outbound.js';
export { signatureOf } from './signing.js';
