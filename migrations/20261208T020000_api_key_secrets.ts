import { sql, type Kysely } from 'kysely';

/**
 * auth.api_key_secrets: the SHA-256 of each API key's secret, by key id, and
 * when the key was last used (written at most once a minute per key and
 * process). The key itself (its scopes, maker, expiry, revocation) is its
 * stream; the secret is never stored, and its hash is nowhere else.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table auth.api_key_secrets (
      key_id text primary key,
      secret_hash bytea not null,
      created_at timestamptz not null default now(),
      last_used_at timestamptz
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table auth.api_key_secrets`.execute(db);
}
