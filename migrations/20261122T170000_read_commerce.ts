import { sql, type Kysely } from 'kysely';

/**
 * Read models of customers, plans, contracts and subscriptions. Every row
 * carries `revision`, the revision of its stream's last applied event (the
 * API's ETag); a projection applies an event only over an older revision.
 * List indexes end in the id: lists are keyset pages in id (creation) order.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .withSchema('read')
    .createTable('customers')
    .addColumn('customer_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('owner_user_id', 'text')
    .addColumn('payment_method', 'text')
    .addColumn('metadata', 'jsonb')
    .addColumn('revision', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index customers_owner_idx on read.customers (owner_user_id, customer_id)`.execute(db);

  await db.schema
    .withSchema('read')
    .createTable('customer_credit_balances')
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('balance', 'bigint', (c) => c.notNull())
    .addColumn('revision', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('customer_credit_balances_pk', ['customer_id', 'currency'])
    .execute();

  await db.schema
    .withSchema('read')
    .createTable('customer_credit_ledger')
    .addColumn('event_id', 'uuid', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('revision', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('balance_after', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('invoice_id', 'text')
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index customer_credit_ledger_customer_idx on read.customer_credit_ledger (customer_id, revision)`.execute(db);

  await db.schema
    .withSchema('read')
    .createTable('plans')
    .addColumn('plan_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('pricing_model', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('interval', 'text', (c) => c.notNull())
    .addColumn('interval_count', 'integer', (c) => c.notNull())
    .addColumn('trial_days', 'integer', (c) => c.notNull())
    .addColumn('metadata', 'jsonb')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('archived_at', 'timestamptz')
    .addColumn('revision', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index plans_status_idx on read.plans (status, plan_id)`.execute(db);

  await db.schema
    .withSchema('read')
    .createTable('contracts')
    .addColumn('contract_id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('terms', 'text')
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ends_at', 'timestamptz')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('activated_at', 'timestamptz')
    .addColumn('suspended_at', 'timestamptz')
    .addColumn('ended_at', 'timestamptz')
    .addColumn('revision', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index contracts_customer_idx on read.contracts (customer_id, contract_id)`.execute(db);
  await sql`create index contracts_status_idx on read.contracts (status, contract_id)`.execute(db);

  await db.schema
    .withSchema('read')
    .createTable('subscriptions')
    .addColumn('subscription_id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('contract_id', 'text', (c) => c.notNull())
    .addColumn('plan_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('pricing_model', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('interval', 'text', (c) => c.notNull())
    .addColumn('interval_count', 'integer', (c) => c.notNull())
    .addColumn('billing_anchor', 'timestamptz', (c) => c.notNull())
    .addColumn('current_period_start', 'timestamptz', (c) => c.notNull())
    .addColumn('current_period_end', 'timestamptz', (c) => c.notNull())
    .addColumn('cancel_at_period_end', 'boolean', (c) => c.notNull())
    .addColumn('cancel_at', 'timestamptz')
    .addColumn('trial_end', 'timestamptz')
    .addColumn('paused_at', 'timestamptz')
    .addColumn('paused_by', 'text')
    .addColumn('canceled_at', 'timestamptz')
    .addColumn('expired_at', 'timestamptz')
    .addColumn('past_due_since', 'timestamptz')
    .addColumn('past_due_invoice_id', 'text')
    .addColumn('revision', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`
    comment on table read.subscriptions is
    'current_period_start/end: the period as the last event recorded it (creation, trial end, resume, plan change); they do not advance with time. The period running at an instant follows from billing_anchor.'`.execute(db);
  for (const column of ['customer_id', 'contract_id', 'status', 'plan_id']) {
    await sql`create index ${sql.raw(`subscriptions_${column}_idx`)} on read.subscriptions (${sql.ref(column)}, subscription_id)`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['subscriptions', 'contracts', 'plans', 'customer_credit_ledger', 'customer_credit_balances', 'customers']) {
    await db.schema.withSchema('read').dropTable(table).execute();
  }
}
