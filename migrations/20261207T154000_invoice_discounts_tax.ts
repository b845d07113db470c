import { sql, type Kysely } from 'kysely';

/**
 * Invoices show their discounts and tax:
 * - read.invoices.discount: what coupons took off, less what proration
 *   credits gave back of earlier discounts;
 * - read.invoice_lines: each line's tax rate, its share of discounts and of
 *   its rate's tax; on a `tax` line, whether the rate is inclusive;
 * - read.credit_notes: the tax a note gives back, by rate, and its refund's part of it.
 *
 * No invoice billed before this had a discount or a tax rate, so the columns'
 * defaults are what a replay would write: nothing is replayed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table read.invoices add column discount bigint not null default 0`.execute(db);
  await sql`
    alter table read.invoice_lines
      add column tax_rate_id text,
      add column discount bigint,
      add column tax bigint,
      add column inclusive boolean,
      add column coupon_id text`.execute(db);
  await sql`
    alter table read.credit_notes
      add column tax bigint not null default 0,
      add column taxes jsonb not null default '[]',
      add column refund_taxes jsonb not null default '[]'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table read.invoices drop column discount`.execute(db);
  await sql`alter table read.invoice_lines drop column tax_rate_id, drop column discount, drop column tax, drop column inclusive, drop column coupon_id`.execute(db);
  await sql`alter table read.credit_notes drop column tax, drop column taxes, drop column refund_taxes`.execute(db);
}
