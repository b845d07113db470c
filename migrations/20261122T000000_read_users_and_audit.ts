import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .withSchema('read')
    .createTable('users')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('active', 'boolean', (c) => c.notNull())
    // The user stream's revision: the API's ETag.
    .addColumn('revision', 'bigint', (c) => c.notNull())
    .addColumn('registered_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index users_role_active_idx on read.users (role, active, user_id)`.execute(db);

  await db.schema
    .withSchema('read')
    .createTable('audit_log')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('event_id', 'uuid', (c) => c.notNull().unique())
    .addColumn('position_commit', 'bigint', (c) => c.notNull())
    .addColumn('position_prepare', 'bigint', (c) => c.notNull())
    .addColumn('stream_name', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('actor_role', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('correlation_id', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .addColumn('changes', 'jsonb', (c) => c.notNull())
    .execute();
  await sql`create index audit_log_position_idx on read.audit_log (position_commit, position_prepare)`.execute(db);
  await sql`create index audit_log_stream_idx on read.audit_log (stream_name, position_commit, position_prepare)`.execute(db);
  await sql`create index audit_log_actor_idx on read.audit_log (actor_id, position_commit, position_prepare)`.execute(db);
  await sql`create index audit_log_occurred_idx on read.audit_log (occurred_at)`.execute(db);

  // Append-only: rows are never changed or removed, not even by a rebuild (which re-inserts idempotently).
  await sql`
    create function read.audit_log_is_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'read.audit_log is append-only: % is not allowed', tg_op
        using errcode = 'insufficient_privilege';
    end
    $$`.execute(db);
  await sql`
    create trigger audit_log_no_update_delete before update or delete on read.audit_log
    for each row execute function read.audit_log_is_append_only()`.execute(db);
  await sql`
    create trigger audit_log_no_truncate before truncate on read.audit_log
    for each statement execute function read.audit_log_is_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('read').dropTable('audit_log').execute();
  await sql`drop function read.audit_log_is_append_only()`.execute(db);
  await db.schema.withSchema('read').dropTable('users').execute();
}
