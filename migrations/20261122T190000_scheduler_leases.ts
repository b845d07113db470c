import { sql, type Kysely } from 'kysely';

/**
 * One row per scheduler trigger: which instance runs it, until when. A row is
 * never deleted, so `fencing` only ever grows: every acquisition takes the next
 * value, and a write fenced by it can tell a stale holder from the current one.
 * Logged, unlike auth.rate_limits: after a crash the tokens must not start over.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema if not exists scheduler`.execute(db);
  await sql`
    create table scheduler.leases (
      name       text primary key,
      holder     text not null,
      expires_at timestamptz not null,
      fencing    bigint not null
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop schema scheduler cascade`.execute(db);
}
