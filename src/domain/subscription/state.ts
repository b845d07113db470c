import type { Discount } from '../customer/index.js';
import type { BillingInterval } from '../shared/index.js';

export const SUBSCRIPTION_STATUSES = ['TRIALING', 'ACTIVE', 'PAST_DUE', 'PAUSED', 'CANCELED', 'EXPIRED'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/**
 * The price a subscription bills, copied from the plan when it is chosen.
 * A plan's price never changes, so the copy is the plan's price for life; it
 * lets the billing engine price every segment from this stream alone.
 */
export type PlanPrice = Readonly<{
  planId: string;
  pricingModel: 'flat_rate' | 'per_unit';
  /** Minor units per period (per unit for `per_unit`). */
  amount: number;
  currency: string;
  interval: BillingInterval;
  intervalCount: number;
}>;

/** Who paused a subscription: the customer (or an operator for them), or its contract's suspension. */
export type PauseCause = 'request' | 'contract';

type Live = Readonly<{
  subscriptionId: string;
  customerId: string;
  contractId: string;
  plan: PlanPrice;
  quantity: number;
  /** Period N starts at anchor + N intervals; moved only by resume and by a change of interval. */
  billingAnchor: string;
  currentPeriodStart: string;
  currentPeriodEnd: string;
  cancelAtPeriodEnd: boolean;
  /** When a scheduled cancellation takes effect: the end of the period it was scheduled in. */
  cancelAt?: string;
  trialEnd?: string;
  /** The coupon its invoices are discounted by, before its customer's: the terms as redeemed on the coupon's stream. Kept once it ends. */
  discount?: Discount;
  createdAt: string;
  updatedAt: string;
}>;

export type SubscriptionState =
  | Readonly<{ status: 'NONE' }>
  | (Live & Readonly<{ status: 'TRIALING' | 'ACTIVE' }>)
  /** Past due since the first of its unpaid invoices failed, until the last of them is settled. */
  | (Live & Readonly<{ status: 'PAST_DUE'; pastDueSince: string; pastDueInvoiceIds: readonly string[] }>)
  | (Live & Readonly<{ status: 'PAUSED'; pausedAt: string; pausedBy: PauseCause }>)
  | (Live & Readonly<{ status: 'CANCELED'; canceledAt: string }>)
  | (Live & Readonly<{ status: 'EXPIRED'; expiredAt: string }>);

export type ExistingSubscription = Exclude<SubscriptionState, { status: 'NONE' }>;

export const initialSubscriptionState = (): SubscriptionState => ({ status: 'NONE' });
