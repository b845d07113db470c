import type { Selectable } from 'kysely';
import type { Db } from '../../db/index.js';
import type { PricingModel } from '../../domain/plan/index.js';
import type { BillingInterval } from '../../domain/shared/index.js';
import type { PlansTable } from './table.js';

export type PlanStatus = 'active' | 'archived';

export type PlanView = Readonly<{
  planId: string;
  name: string;
  description?: string;
  pricingModel: PricingModel;
  /** Minor units per period (per unit for per_unit). */
  amount: number;
  currency: string;
  interval: BillingInterval;
  intervalCount: number;
  trialDays: number;
  metadata?: Readonly<Record<string, string>>;
  status: PlanStatus;
  archivedAt?: string;
  revision: bigint;
  createdAt: string;
  updatedAt: string;
}>;

const toView = (row: Selectable<PlansTable>): PlanView => ({
  planId: row.plan_id,
  name: row.name,
  description: row.description ?? undefined,
  pricingModel: row.pricing_model as PricingModel,
  amount: Number(row.amount),
  currency: row.currency,
  interval: row.interval as BillingInterval,
  intervalCount: row.interval_count,
  trialDays: row.trial_days,
  metadata: row.metadata ?? undefined,
  status: row.status,
  archivedAt: row.archived_at?.toISOString(),
  revision: BigInt(row.revision),
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

export const getPlan = async (db: Db, planId: string): Promise<PlanView | undefined> => {
  const row = await db.selectFrom('read.plans').selectAll().where('plan_id', '=', planId).executeTakeFirst();
  return row && toView(row);
};

export type PlanFilter = Readonly<{ status?: PlanStatus; currency?: string; after?: string; limit: number }>;

/** Keyset pagination on plan_id (UUIDv7, so creation order). Returns one row more than asked when there are more. */
export const listPlans = async (db: Db, filter: PlanFilter): Promise<PlanView[]> => {
  let query = db.selectFrom('read.plans').selectAll().orderBy('plan_id').limit(filter.limit + 1);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.currency) query = query.where('currency', '=', filter.currency);
  if (filter.after) query = query.where('plan_id', '>', filter.after);
  return (await query.execute()).map(toView);
};
