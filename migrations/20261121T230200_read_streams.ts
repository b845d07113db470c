import { sql, type Kysely } from 'kysely';

/** A catalogue of every stream: what exists, how long it is, what happened last. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .withSchema('read')
    .createTable('streams')
    .addColumn('stream_name', 'text', (c) => c.primaryKey())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('last_revision', 'bigint', (c) => c.notNull())
    .addColumn('event_count', 'bigint', (c) => c.notNull())
    .addColumn('last_event_type', 'text', (c) => c.notNull())
    .addColumn('first_recorded_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_recorded_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index streams_category_idx on read.streams (category, last_recorded_at desc)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('read').dropTable('streams').execute();
}
