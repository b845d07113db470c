import type { ColumnType, Generated } from 'kysely';
import type { Instant, Int8 } from '../../db/index.js';

/** The endpoints as the log made them (migrations/…_webhooks): what the outbox addresses, and what the API lists. */
export type WebhookEndpointsTable = {
  endpoint_id: string;
  url: string;
  event_types: string[];
  description: string | null;
  enabled: boolean;
  disabled_reason: string | null;
  created_by: string;
  revision: Int8;
  created_at: Instant;
  updated_at: Instant;
};

/** Each message once: what a domain event said, where in the log it was, and the payload every endpoint gets. */
export type WebhookMessagesTable = {
  message_id: string;
  type: string;
  stream: string;
  revision: Int8;
  commit: Int8;
  prepare: Int8;
  occurred_at: Instant;
  payload: ColumnType<unknown, string, string>;
};

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'exhausted';

/** A message to an endpoint: `pending` until its first attempt, then delivered, failed (a retry due at next_attempt_at) or exhausted. */
export type WebhookDeliveriesTable = {
  endpoint_id: string;
  message_id: string;
  commit: Int8;
  prepare: Int8;
  seq: number;
  status: DeliveryStatus;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Instant | null;
  last_attempt_at: Instant | null;
  last_status: number | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
};

/** The delivery log: one row per attempt; the bodies are emptied after WEBHOOK_LOG_RETENTION_DAYS. */
export type WebhookAttemptsTable = {
  attempt_id: Generated<Int8>;
  endpoint_id: string;
  message_id: string;
  attempt: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  request_body: string | null;
  response_body: string | null;
  attempted_at: Instant;
};

export type WebhookEndpointSecretsTable = {
  secret_id: Generated<Int8>;
  endpoint_id: string;
  secret: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  expires_at: Instant | null;
};

export type WebhookEndpointHealthTable = {
  endpoint_id: string;
  failing_since: Instant | null;
  last_success_at: Instant | null;
};

export type WebhookTables = {
  'read.webhook_endpoints': WebhookEndpointsTable;
  'webhooks.messages': WebhookMessagesTable;
  'webhooks.deliveries': WebhookDeliveriesTable;
  'webhooks.attempts': WebhookAttemptsTable;
  'webhooks.endpoint_secrets': WebhookEndpointSecretsTable;
  'webhooks.endpoint_health': WebhookEndpointHealthTable;
};
