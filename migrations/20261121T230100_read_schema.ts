import { sql, type Kysely } from 'kysely';

/** The read side lives in schema `read`; every projection keeps its checkpoint here. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema if not exists read`.execute(db);
  await db.schema
    .withSchema('read')
    .createTable('projection_checkpoints')
    .addColumn('name', 'text', (c) => c.primaryKey())
    // Null commit/prepare means "from the start".
    .addColumn('commit', 'bigint')
    .addColumn('prepare', 'bigint')
    .addColumn('events_applied', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'projection_checkpoints_position_pair',
      sql`(commit is null) = (prepare is null)`,
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('read').dropTable('projection_checkpoints').execute();
}
