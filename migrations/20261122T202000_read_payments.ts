import { sql, type Kysely } from 'kysely';

/**
 * Payments and dunning in the read models:
 * - read.invoices gains the state of its collection (attempts, the next
 *   retry, grace, dunning stopped, the last failure, why it was written off),
 *   with partial indexes for the scheduler's two questions: which open
 *   invoices are due a retry, and whose grace has ended;
 * - read.payments, one row per attempt, and read.payment_invoices, the payments
 *   projection's own record of whom each invoice bills (it never reads
 *   read.invoices, which another projection keeps at its own pace);
 * - read.subscriptions keeps every unpaid invoice of a PAST_DUE subscription
 *   (past_due_invoice_ids) instead of one.
 *
 * The invoices read model is emptied and its checkpoint set back to the start,
 * as `projections rebuild invoices` does: rows written before these columns
 * existed skipped the payment events (their revisions were applied), so only a
 * replay fills the new columns from the whole history.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table read.invoices
      add column attempts integer not null default 0,
      add column next_retry_at timestamptz,
      add column grace_ends_at timestamptz,
      add column dunning_stopped_at timestamptz,
      add column last_failure_code text,
      add column uncollectible_reason text`.execute(db);
  await sql`create index invoices_next_retry_idx on read.invoices (next_retry_at) where status = 'OPEN' and next_retry_at is not null`.execute(db);
  await sql`create index invoices_grace_ends_idx on read.invoices (grace_ends_at) where status = 'OPEN' and grace_ends_at is not null`.execute(db);
  await sql`select 1 from read.projection_checkpoints where name = 'invoices' for update`.execute(db);
  await sql`delete from read.invoice_lines`.execute(db);
  await sql`delete from read.invoices`.execute(db);
  await sql`update read.projection_checkpoints set commit = null, prepare = null, events_applied = 0, updated_at = now() where name = 'invoices'`.execute(db);

  await db.schema
    .withSchema('read')
    .createTable('payment_invoices')
    .addColumn('invoice_id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .withSchema('read')
    .createTable('payments')
    .addColumn('invoice_id', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('payment_method', 'text')
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('PENDING', 'SUCCEEDED', 'FAILED')`))
    .addColumn('failure_code', 'text')
    .addColumn('hard', 'boolean')
    .addColumn('charge_id', 'text')
    .addColumn('attempted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('settled_at', 'timestamptz')
    .addColumn('revision', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('payments_pk', ['invoice_id', 'attempt'])
    .execute();
  // Lists page on (attempted_at, invoice_id, attempt); an invoice's payments come from the primary key.
  await sql`create index payments_attempted_idx on read.payments (attempted_at, invoice_id, attempt)`.execute(db);
  for (const column of ['customer_id', 'status']) {
    await sql`create index ${sql.raw(`payments_${column}_idx`)} on read.payments (${sql.ref(column)}, attempted_at, invoice_id, attempt)`.execute(db);
  }

  await sql`alter table read.subscriptions add column past_due_invoice_ids text[] not null default '{}'`.execute(db);
  await sql`update read.subscriptions set past_due_invoice_ids = array[past_due_invoice_id] where past_due_invoice_id is not null`.execute(db);
  await sql`alter table read.subscriptions drop column past_due_invoice_id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table read.subscriptions add column past_due_invoice_id text`.execute(db);
  // One column holds one invoice: the first, the one that made the subscription past due.
  await sql`update read.subscriptions set past_due_invoice_id = past_due_invoice_ids[1]`.execute(db);
  await sql`alter table read.subscriptions drop column past_due_invoice_ids`.execute(db);
  await db.schema.withSchema('read').dropTable('payments').execute();
  await db.schema.withSchema('read').dropTable('payment_invoices').execute();
  await sql`drop index read.invoices_grace_ends_idx`.execute(db);
  await sql`drop index read.invoices_next_retry_idx`.execute(db);
  await sql`
    alter table read.invoices
      drop column attempts,
      drop column next_retry_at,
      drop column grace_ends_at,
      drop column dunning_stopped_at,
      drop column last_failure_code,
      drop column uncollectible_reason`.execute(db);
}
