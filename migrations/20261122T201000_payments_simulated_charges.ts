import { sql, type Kysely } from 'kysely';

/**
 * The simulated payment gateway's charges (src/payments/simulatedGateway.ts):
 * one row per idempotency key, holding the first result the key was answered
 * with. The (invoice, payment method) index serves the count of earlier
 * attempts that decides a `pm_flaky_N` charge.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema if not exists payments`.execute(db);
  await db.schema
    .withSchema('payments')
    .createTable('simulated_charges')
    .addColumn('idempotency_key', 'text', (c) => c.primaryKey())
    .addColumn('invoice_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('payment_method', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('succeeded', 'failed')`))
    .addColumn('code', 'text')
    .addColumn('hard', 'boolean', (c) => c.notNull())
    // Derived from the key, so unique with it. Not a second unique constraint:
    // ON CONFLICT (idempotency_key) arbitrates only the key, and a concurrent
    // insert under the same key could then fail on the charge id instead.
    .addColumn('charge_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    // A failure always has a code, a success never does.
    .addCheckConstraint('simulated_charges_code', sql`(outcome = 'failed') = (code is not null)`)
    .execute();
  await db.schema
    .withSchema('payments')
    .createIndex('simulated_charges_invoice_method')
    .on('simulated_charges')
    .columns(['invoice_id', 'payment_method'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop schema payments cascade`.execute(db);
}
