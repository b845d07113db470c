import { sql, type Selectable } from 'kysely';
import type { Db } from '../../db/index.js';
import type { RefundsTable } from './table.js';

export type RefundRow = Selectable<RefundsTable>;
export type RefundFilter = Readonly<{
  invoiceId?: string;
  customerId?: string;
  ownerUserId?: string;
  limit: number;
  after?: Readonly<{ requestedAt: string; refundId: string }>;
}>;

/** Refunds in (requested_at, refund_id) order, `limit + 1` of them. */
export const listRefunds = async (db: Db, filter: RefundFilter): Promise<RefundRow[]> => {
  let query = db.selectFrom('read.refunds').selectAll();
  if (filter.invoiceId !== undefined) query = query.where('invoice_id', '=', filter.invoiceId);
  if (filter.customerId !== undefined) query = query.where('customer_id', '=', filter.customerId);
  if (filter.ownerUserId !== undefined) {
    const owner = filter.ownerUserId;
    query = query.where('customer_id', 'in', (eb) => eb.selectFrom('read.customers').select('customer_id').where('owner_user_id', '=', owner));
  }
  if (filter.after) query = query.where(sql<boolean>`(requested_at, refund_id) > (${filter.after.requestedAt}::timestamptz, ${filter.after.refundId})`);
  return query.orderBy('requested_at').orderBy('refund_id').limit(filter.limit + 1).execute();
};
