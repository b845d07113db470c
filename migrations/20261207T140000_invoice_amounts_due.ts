import { sql, type Kysely } from 'kysely';

/**
 * read.invoices shows what is owed, beside what is billed:
 * - `total` is now what the invoice bills, whatever pays it; before, it had
 *   the customer's credit applied taken off it;
 * - `credit_applied` is that credit; `amount_paid` what succeeded charges
 *   paid of it; `amount_due` what is left (0 once paid or voided).
 *
 * The invoices read model is emptied and its checkpoint set back to the start,
 * as `projections rebuild invoices` does: the new columns and the new meaning
 * of `total` come from a replay of the whole history.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table read.invoices
      add column credit_applied bigint not null default 0,
      add column amount_paid bigint not null default 0,
      add column amount_due bigint not null default 0`.execute(db);
  await sql`create index invoices_amount_due_idx on read.invoices (customer_id) where amount_due > 0`.execute(db);
  await sql`select 1 from read.projection_checkpoints where name = 'invoices' for update`.execute(db);
  await sql`delete from read.invoice_lines`.execute(db);
  await sql`delete from read.invoices`.execute(db);
  await sql`update read.projection_checkpoints set commit = null, prepare = null, events_applied = 0, updated_at = now() where name = 'invoices'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table read.invoices drop column credit_applied, drop column amount_paid, drop column amount_due`.execute(db);
}
