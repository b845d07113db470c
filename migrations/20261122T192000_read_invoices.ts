import { sql, type Kysely } from 'kysely';

/**
 * Read models of invoices and their lines. `revision` is the revision of the
 * invoice stream's last applied event (the API's ETag); the projection
 * applies an event only over an older revision. Lists are keyset pages in
 * (period_start, invoice_id) order, so each filter's index ends in those two.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .withSchema('read')
    .createTable('invoices')
    .addColumn('invoice_id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'text')
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('subtotal', 'bigint', (c) => c.notNull())
    .addColumn('tax', 'bigint', (c) => c.notNull())
    .addColumn('total', 'bigint', (c) => c.notNull())
    .addColumn('cause_kind', 'text', (c) => c.notNull())
    .addColumn('cause_event_id', 'text')
    .addColumn('period_start', 'timestamptz', (c) => c.notNull())
    .addColumn('period_end', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finalized_at', 'timestamptz')
    .addColumn('voided_at', 'timestamptz')
    .addColumn('paid_at', 'timestamptz')
    .addColumn('marked_uncollectible_at', 'timestamptz')
    .addColumn('revision', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`
    comment on table read.invoices is
    'period_start: the period a period invoice bills, or a change invoice''s earliest line start; period_end: the latest line end. Lists page on (period_start, invoice_id).'`.execute(db);
  await sql`create index invoices_period_idx on read.invoices (period_start, invoice_id)`.execute(db);
  for (const column of ['customer_id', 'subscription_id', 'status']) {
    await sql`create index ${sql.raw(`invoices_${column}_idx`)} on read.invoices (${sql.ref(column)}, period_start, invoice_id)`.execute(db);
  }
  // Not unique: numbering guarantees that, and a constraint here could only stop the read model.
  await sql`create index invoices_number_idx on read.invoices (number) where number is not null`.execute(db);

  await db.schema
    .withSchema('read')
    .createTable('invoice_lines')
    .addColumn('invoice_id', 'text', (c) => c.notNull())
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('item_key', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('quantity', 'bigint', (c) => c.notNull())
    .addColumn('unit_amount', 'bigint', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('period_start', 'timestamptz', (c) => c.notNull())
    .addColumn('period_end', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('invoice_lines_pk', ['invoice_id', 'line_no'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['invoice_lines', 'invoices']) {
    await db.schema.withSchema('read').dropTable(table).execute();
  }
}
