import type { Db } from '../../db/index.js';

/**
 * The process manager's own memory of which subscriptions belong to which
 * contract, filled from SubscriptionCreated in the same ordered feed and the
 * same transaction as its checkpoint: never a read model, which may lag it.
 * A subscription leaves once it is canceled or expired, when no cascade can
 * move it any more.
 */
export type ContractSubscriptionsTable = {
  subscription_id: string;
  contract_id: string;
};

export const rememberSubscription = async (db: Db, contractId: string, subscriptionId: string): Promise<void> => {
  await db
    .insertInto('cascade.contract_subscriptions')
    .values({ contract_id: contractId, subscription_id: subscriptionId })
    .onConflict((oc) => oc.column('subscription_id').doNothing())
    .execute();
};

export const forgetSubscription = async (db: Db, subscriptionId: string): Promise<void> => {
  await db.deleteFrom('cascade.contract_subscriptions').where('subscription_id', '=', subscriptionId).execute();
};

export const subscriptionsOfContract = async (db: Db, contractId: string): Promise<string[]> =>
  (
    await db
      .selectFrom('cascade.contract_subscriptions')
      .select('subscription_id')
      .where('contract_id', '=', contractId)
      .orderBy('subscription_id')
      .execute()
  ).map((r) => r.subscription_id);

export const contractOfSubscription = async (db: Db, subscriptionId: string): Promise<string | undefined> =>
  (
    await db
      .selectFrom('cascade.contract_subscriptions')
      .select('contract_id')
      .where('subscription_id', '=', subscriptionId)
      .executeTakeFirst()
  )?.contract_id;

export const forgetAll = async (db: Db): Promise<void> => {
  await db.deleteFrom('cascade.contract_subscriptions').execute();
};

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type ContractCascadeTables = {
  'cascade.contract_subscriptions': ContractSubscriptionsTable;
};
