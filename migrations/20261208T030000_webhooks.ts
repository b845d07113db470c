import { sql, type Kysely } from 'kysely';

/**
 * Outbound webhooks. Endpoints are streams (`webhook_endpoint-whe_…`); here:
 * - read.webhook_endpoints: their read model, which the webhooks projection
 *   keeps in the same transaction as the outbox, so a message goes to the
 *   endpoints that existed, enabled, at its position in the log;
 * - webhooks.endpoint_secrets: each endpoint's signing secrets (never in an
 *   event), a rotated one kept until it expires;
 * - webhooks.messages: each message once (a domain event's type, its stream,
 *   revision and position, and the payload), however many endpoints get it;
 * - webhooks.deliveries: a message to an endpoint, its state and next try;
 * - webhooks.attempts: the delivery log, one row per attempt;
 * - webhooks.endpoint_health: since when an endpoint has failed everything.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema if not exists webhooks`.execute(db);
  await sql`
    create table read.webhook_endpoints (
      endpoint_id text primary key,
      url text not null,
      event_types text[] not null,
      description text,
      enabled boolean not null,
      disabled_reason text,
      created_by text not null,
      revision bigint not null,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`.execute(db);
  await sql`
    create table webhooks.endpoint_secrets (
      secret_id bigserial primary key,
      endpoint_id text not null,
      secret text not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz
    )`.execute(db);
  await sql`create index endpoint_secrets_by_endpoint on webhooks.endpoint_secrets (endpoint_id, secret_id)`.execute(db);
  await sql`
    create table webhooks.messages (
      message_id text primary key,
      type text not null,
      stream text not null,
      revision bigint not null,
      commit bigint not null,
      prepare bigint not null,
      occurred_at timestamptz not null,
      payload jsonb not null
    )`.execute(db);
  await sql`create index messages_by_position on webhooks.messages (commit, prepare)`.execute(db);
  await sql`
    create table webhooks.deliveries (
      endpoint_id text not null,
      message_id text not null references webhooks.messages (message_id),
      commit bigint not null,
      prepare bigint not null,
      -- Its place among the messages of one event (a first failed payment is payment.failed, then dunning.started).
      seq smallint not null,
      status text not null,
      attempts integer not null default 0,
      next_attempt_at timestamptz,
      last_attempt_at timestamptz,
      last_status integer,
      created_at timestamptz not null default now(),
      primary key (endpoint_id, message_id)
    )`.execute(db);
  await sql`create index deliveries_pending on webhooks.deliveries (endpoint_id, commit, prepare, seq) where status = 'pending'`.execute(db);
  await sql`create index deliveries_retrying on webhooks.deliveries (next_attempt_at) where status = 'failed'`.execute(db);
  await sql`
    create table webhooks.attempts (
      attempt_id bigserial primary key,
      endpoint_id text not null,
      message_id text not null,
      attempt integer not null,
      status_code integer,
      error text,
      duration_ms integer not null,
      request_body text,
      response_body text,
      attempted_at timestamptz not null
    )`.execute(db);
  await sql`create index attempts_by_endpoint on webhooks.attempts (endpoint_id, attempt_id desc)`.execute(db);
  await sql`create index attempts_by_time on webhooks.attempts (attempted_at) where request_body is not null or response_body is not null`.execute(db);
  await sql`
    create table webhooks.endpoint_health (
      endpoint_id text primary key,
      failing_since timestamptz,
      last_success_at timestamptz
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop schema webhooks cascade`.execute(db);
  await sql`drop table read.webhook_endpoints`.execute(db);
}
