import { sql, type Kysely } from 'kysely';

/**
 * The coupon's discount a subscription holds, as JSON (its terms as redeemed);
 * none until one is applied. No replay: no stream holds a subscription's
 * discount event before this version.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table read.subscriptions add column discount jsonb`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table read.subscriptions drop column discount`.execute(db);
}
