import type { Selectable } from 'kysely';
import type { Db } from '../../db/index.js';
import type { Discount } from '../../domain/customer/index.js';
import type { BillingInterval } from '../../domain/shared/index.js';
import type { PauseCause, PlanPrice, SubscriptionStatus } from '../../domain/subscription/index.js';
import type { SubscriptionsTable } from './table.js';

/** Shaped like the domain's state: the plan's price as copied onto the stream, under `plan`. */
export type SubscriptionView = Readonly<{
  subscriptionId: string;
  customerId: string;
  contractId: string;
  plan: PlanPrice;
  quantity: number;
  status: SubscriptionStatus;
  billingAnchor: string;
  /** The period as the last event recorded it; it does not advance with time. */
  currentPeriodStart: string;
  currentPeriodEnd: string;
  cancelAtPeriodEnd: boolean;
  cancelAt?: string;
  trialEnd?: string;
  pausedAt?: string;
  pausedBy?: PauseCause;
  canceledAt?: string;
  expiredAt?: string;
  pastDueSince?: string;
  /** While PAST_DUE: its unpaid invoices. */
  pastDueInvoiceIds?: readonly string[];
  /** The coupon's terms as redeemed on it (jsonb, as the event wrote them). */
  discount?: Discount;
  revision: bigint;
  createdAt: string;
  updatedAt: string;
}>;

const toView = (row: Selectable<SubscriptionsTable>): SubscriptionView => ({
  subscriptionId: row.subscription_id,
  customerId: row.customer_id,
  contractId: row.contract_id,
  plan: {
    planId: row.plan_id,
    pricingModel: row.pricing_model as PlanPrice['pricingModel'],
    amount: Number(row.amount),
    currency: row.currency,
    interval: row.interval as BillingInterval,
    intervalCount: row.interval_count,
  },
  quantity: row.quantity,
  status: row.status as SubscriptionStatus,
  billingAnchor: row.billing_anchor.toISOString(),
  currentPeriodStart: row.current_period_start.toISOString(),
  currentPeriodEnd: row.current_period_end.toISOString(),
  cancelAtPeriodEnd: row.cancel_at_period_end,
  cancelAt: row.cancel_at?.toISOString(),
  trialEnd: row.trial_end?.toISOString(),
  pausedAt: row.paused_at?.toISOString(),
  pausedBy: (row.paused_by ?? undefined) as PauseCause | undefined,
  canceledAt: row.canceled_at?.toISOString(),
  expiredAt: row.expired_at?.toISOString(),
  pastDueSince: row.past_due_since?.toISOString(),
  pastDueInvoiceIds: row.status === 'PAST_DUE' ? row.past_due_invoice_ids : undefined,
  discount: (row.discount ?? undefined) as Discount | undefined,
  revision: BigInt(row.revision),
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

export const getSubscription = async (db: Db, subscriptionId: string): Promise<SubscriptionView | undefined> => {
  const row = await db
    .selectFrom('read.subscriptions')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .executeTakeFirst();
  return row && toView(row);
};

export type SubscriptionFilter = Readonly<{
  customerId?: string;
  contractId?: string;
  status?: SubscriptionStatus;
  planId?: string;
  /** Subscriptions of the customers this user owns now (owners change, so never copied onto subscriptions). */
  ownerUserId?: string;
  after?: string;
  limit: number;
}>;

/** Keyset pagination on subscription_id (UUIDv7, so creation order). Returns one row more than asked when there are more. */
export const listSubscriptions = async (db: Db, filter: SubscriptionFilter): Promise<SubscriptionView[]> => {
  let query = db.selectFrom('read.subscriptions').selectAll().orderBy('subscription_id').limit(filter.limit + 1);
  if (filter.customerId) query = query.where('customer_id', '=', filter.customerId);
  if (filter.contractId) query = query.where('contract_id', '=', filter.contractId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.planId) query = query.where('plan_id', '=', filter.planId);
  if (filter.ownerUserId) {
    const owner = filter.ownerUserId;
    query = query.where('customer_id', 'in', (eb) =>
      eb.selectFrom('read.customers').select('read.customers.customer_id').where('owner_user_id', '=', owner),
    );
  }
  if (filter.after) query = query.where('subscription_id', '>', filter.after);
  return (await query.execute()).map(toView);
};
