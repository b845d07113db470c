import { sql, type Kysely } from 'kysely';

/**
 * auth.access_views: one row per API process that answers "who is this
 * caller" from its own view of the users' streams. `position` is its promise
 * (nothing older is missing from any answer it gives) until `expires_at`, in
 * this database's time; a user command's answer waits until every live,
 * unfenced row has promised its event, or fences the row and outwaits it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table auth.access_views (
      holder text primary key,
      position text,
      expires_at timestamptz not null,
      fenced boolean not null default false
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table auth.access_views`.execute(db);
}
