import { sql, type Kysely } from 'kysely';

/**
 * Stored answers to POST requests sent with an Idempotency-Key, one row per
 * principal and key. A row is `in_progress` while one request holds it, until
 * `locked_until` (a lease the holder renews; a later request may take over a
 * lapsed one), then `done` with the answer to replay. Logged, unlike
 * auth.rate_limits: losing rows in a crash would let a retried command run again.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema if not exists api`.execute(db);
  await sql`
    create table api.idempotency_keys (
      principal_id     text not null,
      key              varchar(255) not null,
      fingerprint      text not null,
      status           text not null check (status in ('in_progress', 'done')),
      holder           uuid not null,
      locked_until     timestamptz,
      response_status  integer,
      response_headers jsonb,
      response_body    text,
      created_at       timestamptz not null,
      primary key (principal_id, key),
      check (status = 'in_progress' or response_status is not null)
    )`.execute(db);
  // The purge deletes by age.
  await sql`create index idempotency_keys_created_at_idx on api.idempotency_keys (created_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop schema api cascade`.execute(db);
}
