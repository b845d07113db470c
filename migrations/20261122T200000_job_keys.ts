import { sql, type Kysely } from 'kysely';

/**
 * The keys jobs were enqueued under, kept as long as the jobs' history:
 * pg-boss moves finished jobs to its archive and deletes them later, so its
 * own ids cannot say "this was enqueued once" for ever. pg-boss creates and
 * migrates its own schema (`pgboss`) when it starts.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema if not exists jobs`.execute(db);
  await db.schema
    .withSchema('jobs')
    .createTable('job_keys')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('queue', 'text', (c) => c.notNull())
    .addColumn('job_id', 'uuid', (c) => c.notNull())
    .addColumn('enqueued_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop schema jobs cascade`.execute(db);
}
