import { sql, type Kysely } from 'kysely';

/**
 * When each subscription next has something to bill, for the billing run to
 * read instead of every subscription: kept by the `billing_due` projection
 * (an event makes its subscription due at the event's instant) and moved on
 * by the billing run once it has billed up to an instant.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema if not exists billing`.execute(db);
  await db.schema
    .withSchema('billing')
    .createTable('subscription_due')
    .addColumn('subscription_id', 'text', (c) => c.primaryKey())
    // Null: nothing more to bill (paused, canceled, expired) until an event says otherwise.
    .addColumn('due_at', 'timestamptz')
    // The subscription-stream revision the row rests on: an older write never overwrites a newer one.
    .addColumn('revision', 'bigint', (c) => c.notNull())
    .execute();
  await sql`create index subscription_due_at on billing.subscription_due (due_at, subscription_id) where due_at is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('billing').dropTable('subscription_due').execute();
}
