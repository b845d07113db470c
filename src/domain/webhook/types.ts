import type { Command, Event } from '../shared/index.js';

/**
 * A webhook endpoint (`webhook_endpoint-whe_…`): where signed messages about
 * what happens are sent. Its signing secrets are not here (events carry no
 * secrets): they live in webhooks.endpoint_secrets, by endpoint.
 */
export type WebhookEndpointTerms = Readonly<{
  url: string;
  /** The message types it receives (`invoice.paid`…); `['*']`: all of them. */
  eventTypes: readonly string[];
  description?: string;
}>;

export type CreateWebhookEndpoint = Command<'CreateWebhookEndpoint', WebhookEndpointTerms & { endpointId: string; createdBy: string; now: string }>;
export type UpdateWebhookEndpoint = Command<'UpdateWebhookEndpoint', Partial<WebhookEndpointTerms> & { now: string }>;
export type DisableWebhookEndpoint = Command<'DisableWebhookEndpoint', { reason: 'manual' | 'failing'; now: string }>;
export type EnableWebhookEndpoint = Command<'EnableWebhookEndpoint', { now: string }>;
/** A new signing secret; the previous one is still sent beside it until `previousExpiresAt`. */
export type RotateWebhookSecret = Command<'RotateWebhookSecret', { previousExpiresAt: string; now: string }>;
export type WebhookEndpointCommand = CreateWebhookEndpoint | UpdateWebhookEndpoint | DisableWebhookEndpoint | EnableWebhookEndpoint | RotateWebhookSecret;

export type WebhookEndpointCreated = Event<'WebhookEndpointCreated', WebhookEndpointTerms & { endpointId: string; createdBy: string; createdAt: string }>;
export type WebhookEndpointUpdated = Event<'WebhookEndpointUpdated', Partial<WebhookEndpointTerms> & { endpointId: string; updatedAt: string }>;
export type WebhookEndpointDisabled = Event<'WebhookEndpointDisabled', { endpointId: string; reason: 'manual' | 'failing'; disabledAt: string }>;
export type WebhookEndpointEnabled = Event<'WebhookEndpointEnabled', { endpointId: string; enabledAt: string }>;
export type WebhookSecretRotated = Event<'WebhookSecretRotated', { endpointId: string; previousExpiresAt: string; rotatedAt: string }>;
export type WebhookEndpointEvent = WebhookEndpointCreated | WebhookEndpointUpdated | WebhookEndpointDisabled | WebhookEndpointEnabled | WebhookSecretRotated;

type Known = WebhookEndpointTerms & { endpointId: string; createdBy: string; createdAt: string; updatedAt: string };
export type WebhookEndpointState =
  | Readonly<{ status: 'NONE' }>
  | Readonly<Known & { status: 'ENABLED' }>
  | Readonly<Known & { status: 'DISABLED'; disabledReason: 'manual' | 'failing'; disabledAt: string }>;
