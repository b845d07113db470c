import { sql, type Kysely } from 'kysely';

/** The tax rate a plan's charges, or a customer's invoices, are taxed at: none until one is set. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table read.plans add column tax_rate_id text`.execute(db);
  await sql`alter table read.customers add column tax_rate_id text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table read.plans drop column tax_rate_id`.execute(db);
  await sql`alter table read.customers drop column tax_rate_id`.execute(db);
}
