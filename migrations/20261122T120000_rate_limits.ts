import { sql, type Kysely } from 'kysely';

/**
 * Rate-limit counters shared by every API instance (rate-limiter-flexible's
 * PostgreSQL store, whose columns these are). Unlogged: no WAL and no fsync per
 * request; after a crash the counters start again from zero, which is harmless.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create unlogged table auth.rate_limits (
      key    varchar(255) primary key,
      points integer not null default 0,
      expire bigint
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table auth.rate_limits`.execute(db);
}
