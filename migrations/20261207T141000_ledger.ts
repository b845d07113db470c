import { sql, type Kysely } from 'kysely';

/**
 * The double-entry ledger (the `ledger` projection):
 * - read.ledger_entries, one row per movement: it debits one account and
 *   credits another by the same positive amount, in one currency, with the
 *   position of the event that made it. Append-only, like the audit log: a
 *   rebuild re-derives the same rows and inserts nothing twice.
 * - read.ledger_postings, a view with one row per side of each entry (debit
 *   positive, credit negative in `balance`), for analysts' sums.
 * - read.ledger_invoices, the projection's own fold of each invoice (the
 *   posting rules read an invoice's state before each of its events).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table read.ledger_entries (
      event_id text not null,
      seq integer not null,
      position_commit bigint not null,
      position_prepare bigint not null,
      stream_name text not null,
      event_type text not null,
      kind text not null,
      debit_account text not null,
      credit_account text not null,
      amount bigint not null check (amount > 0),
      currency text not null,
      customer_id text not null,
      invoice_id text,
      reference text,
      occurred_at timestamptz not null,
      primary key (event_id, seq),
      check (debit_account <> credit_account)
    )`.execute(db);
  await sql`create index ledger_entries_position_idx on read.ledger_entries (position_commit, position_prepare, seq)`.execute(db);
  await sql`create index ledger_entries_customer_idx on read.ledger_entries (customer_id, position_commit, position_prepare, seq)`.execute(db);
  await sql`create index ledger_entries_invoice_idx on read.ledger_entries (invoice_id) where invoice_id is not null`.execute(db);
  await sql`create index ledger_entries_reference_idx on read.ledger_entries (reference) where reference is not null`.execute(db);
  await sql`
    create function read.ledger_entries_are_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'read.ledger_entries is append-only: % is not allowed', tg_op
        using errcode = 'insufficient_privilege';
    end
    $$`.execute(db);
  await sql`
    create trigger ledger_entries_no_update_delete before update or delete on read.ledger_entries
    for each row execute function read.ledger_entries_are_append_only()`.execute(db);
  await sql`
    create trigger ledger_entries_no_truncate before truncate on read.ledger_entries
    for each statement execute function read.ledger_entries_are_append_only()`.execute(db);
  await sql`
    create view read.ledger_postings as
      select event_id, seq, position_commit, position_prepare, kind, debit_account as account, amount as debit, 0::bigint as credit,
             amount as balance, currency, customer_id, invoice_id, reference, occurred_at
        from read.ledger_entries
      union all
      select event_id, seq, position_commit, position_prepare, kind, credit_account, 0::bigint, amount,
             -amount, currency, customer_id, invoice_id, reference, occurred_at
        from read.ledger_entries`.execute(db);
  await sql`
    create table read.ledger_invoices (
      invoice_id text primary key,
      state jsonb not null,
      revision bigint not null
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop view read.ledger_postings`.execute(db);
  await sql`drop table read.ledger_invoices`.execute(db);
  await sql`drop table read.ledger_entries`.execute(db);
  await sql`drop function read.ledger_entries_are_append_only()`.execute(db);
}
