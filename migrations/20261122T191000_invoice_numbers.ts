import { sql, type Kysely } from 'kysely';

/**
 * Invoice numbers, per year, with no gaps: a counter row per year, and one
 * row per numbered invoice. Both are written in one transaction, and a second
 * number for an invoice that has one rolls the counter back with it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema if not exists billing`.execute(db);
  await db.schema
    .withSchema('billing')
    .createTable('invoice_number_counters')
    .addColumn('year', 'integer', (c) => c.primaryKey())
    .addColumn('last', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .withSchema('billing')
    .createTable('invoice_numbers')
    .addColumn('invoice_id', 'text', (c) => c.primaryKey())
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('assigned_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('invoice_numbers_year_seq', ['year', 'seq'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop schema billing cascade`.execute(db);
}
