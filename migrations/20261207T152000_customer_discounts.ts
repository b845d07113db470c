import { sql, type Kysely } from 'kysely';

/** The coupon's discount a customer holds, as JSON (its terms as redeemed); none until one is applied. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table read.customers add column discount jsonb`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table read.customers drop column discount`.execute(db);
}
