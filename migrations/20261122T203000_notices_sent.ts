import { sql, type Kysely } from 'kysely';

/**
 * Every notice sent, once each: the key it was sent under (its job's key),
 * the message id, what it was about and when, in domain time. Analysts count
 * notices here; a notice job records its send after the mailer took it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema if not exists collections`.execute(db);
  await db.schema
    .withSchema('collections')
    .createTable('notices_sent')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('invoice_id', 'text')
    .addColumn('subscription_id', 'text')
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.withSchema('collections').createIndex('notices_sent_customer').on('notices_sent').columns(['customer_id', 'sent_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop schema collections cascade`.execute(db);
}
