import { sql, type Kysely } from 'kysely';

/** Secrets live here, in plain tables, never in events (SPEC §3). */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema if not exists auth`.execute(db);
  await db.schema
    .withSchema('auth')
    .createTable('credentials')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  // Rotating refresh tokens: one row per token, stored as a SHA-256 hash. A
  // token used twice revokes its whole family.
  await db.schema
    .withSchema('auth')
    .createTable('refresh_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('family_id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('auth.credentials.user_id'))
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await sql`create index refresh_tokens_family_idx on auth.refresh_tokens (family_id)`.execute(db);
  await sql`create index refresh_tokens_user_idx on auth.refresh_tokens (user_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop schema auth cascade`.execute(db);
}
