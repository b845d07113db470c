import { sql, type Kysely } from 'kysely';

/**
 * Credit notes:
 * - their numbers, per series and year, gapless like invoices' (a counter row
 *   per series and year, locked by its UPDATE; each document's number kept so
 *   a retry takes the same one): billing.document_number_counters and
 *   billing.document_numbers;
 * - read.credit_notes, one row per credit note, for lists and analysts.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table billing.document_number_counters (
      series text not null,
      year integer not null,
      last integer not null,
      primary key (series, year)
    )`.execute(db);
  await sql`
    create table billing.document_numbers (
      series text not null,
      document_id text not null,
      year integer not null,
      seq integer not null,
      assigned_at timestamptz not null,
      primary key (series, document_id),
      unique (series, year, seq)
    )`.execute(db);
  await sql`
    create table read.credit_notes (
      credit_note_id text primary key,
      number text not null,
      invoice_id text not null,
      customer_id text not null,
      status text not null check (status in ('ISSUED', 'VOID')),
      currency text not null,
      reason text not null,
      memo text,
      amount bigint not null,
      pre_payment bigint not null,
      refund bigint not null,
      credit bigint not null,
      out_of_band bigint not null,
      automatic boolean not null,
      lines jsonb not null,
      issued_at timestamptz not null,
      voided_at timestamptz,
      revision bigint not null
    )`.execute(db);
  await sql`create index credit_notes_invoice_idx on read.credit_notes (invoice_id, issued_at, credit_note_id)`.execute(db);
  await sql`create index credit_notes_customer_idx on read.credit_notes (customer_id, issued_at, credit_note_id)`.execute(db);
  await sql`create index credit_notes_issued_idx on read.credit_notes (issued_at, credit_note_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table read.credit_notes`.execute(db);
  await sql`drop table billing.document_numbers`.execute(db);
  await sql`drop table billing.document_number_counters`.execute(db);
}
