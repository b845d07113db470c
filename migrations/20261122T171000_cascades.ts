import { sql, type Kysely } from 'kysely';

/**
 * Process managers keep their own state in schema `cascade`, beside their
 * checkpoints (in read.projection_checkpoints): the contract cascades' map of
 * subscriptions to contracts.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema if not exists cascade`.execute(db);
  await db.schema
    .withSchema('cascade')
    .createTable('contract_subscriptions')
    .addColumn('subscription_id', 'text', (c) => c.primaryKey())
    .addColumn('contract_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .withSchema('cascade')
    .createIndex('contract_subscriptions_by_contract')
    .on('contract_subscriptions')
    .columns(['contract_id', 'subscription_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop schema "cascade" cascade`.execute(db);
}
