import { sql, type Kysely } from 'kysely';

/**
 * Refunds:
 * - payments.simulated_refunds, the simulated gateway's record of refunds, one
 *   row per idempotency key, like its charges;
 * - read.refunds, one row per refund stream, for lists and analysts.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table payments.simulated_refunds (
      idempotency_key text primary key,
      charge_id text not null,
      amount bigint not null check (amount > 0),
      currency text not null,
      outcome text not null check (outcome in ('succeeded', 'failed')),
      code text,
      refund_id text not null,
      created_at timestamptz not null,
      check ((outcome = 'succeeded') = (code is null))
    )`.execute(db);
  await sql`create index simulated_refunds_charge_idx on payments.simulated_refunds (charge_id)`.execute(db);
  // A refund finds its charge by the gateway's id.
  await sql`create index simulated_charges_charge_idx on payments.simulated_charges (charge_id)`.execute(db);
  await sql`
    create table read.refunds (
      refund_id text primary key,
      invoice_id text not null,
      customer_id text not null,
      charge_id text not null,
      amount bigint not null,
      currency text not null,
      cause_kind text not null,
      credit_note_id text,
      status text not null check (status in ('PENDING', 'SUCCEEDED', 'FAILED')),
      failure_code text,
      gateway_refund_id text,
      requested_at timestamptz not null,
      settled_at timestamptz,
      revision bigint not null
    )`.execute(db);
  await sql`create index refunds_invoice_idx on read.refunds (invoice_id, requested_at, refund_id)`.execute(db);
  await sql`create index refunds_customer_idx on read.refunds (customer_id, requested_at, refund_id)`.execute(db);
  await sql`create index refunds_requested_idx on read.refunds (requested_at, refund_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table read.refunds`.execute(db);
  await sql`drop table payments.simulated_refunds`.execute(db);
  await sql`drop index payments.simulated_charges_charge_idx`.execute(db);
}
