import { sql, type Kysely } from 'kysely';

/**
 * Whether a customer's invoices wait as DRAFTs for review. False for every
 * customer already there: their streams were recorded before the choice existed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table read.customers add column draft_invoices boolean not null default false`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table read.customers drop column draft_invoices`.execute(db);
}
