import type { Selectable } from 'kysely';
import type { Db } from '../../db/index.js';
import { rowView, type RowView } from '../runtime/index.js';
import type { PlansTable } from './table.js';

export type PlanStatus = 'active' | 'archived';

/** A plan as the API shows it: its row, in camelCase (rowView), its amount a number. */
export type PlanView = RowView<Omit<Selectable<PlansTable>, 'amount' | 'revision'>> & Readonly<{ amount: number; revision: bigint }>;

const toView = (row: Selectable<PlansTable>): PlanView => ({ ...rowView(row), amount: Number(row.amount), revision: BigInt(row.revision) });

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
