import type { Discount } from '../customer/index.js';
import type { Event } from '../shared/index.js';
import type { PauseCause, PlanPrice } from './state.js';

/**
 * Every event carries the instant it takes effect (`…At`) and, where the
 * period or the price changes, the new period and price, so that the billing
 * engine can cut the stream into segments of price × quantity × time without
 * reading anything else.
 */
type Period = { billingAnchor: string; currentPeriodStart: string; currentPeriodEnd: string };

export type SubscriptionCreated = Event<
  'SubscriptionCreated',
  Period & {
    subscriptionId: string;
    customerId: string;
    contractId: string;
    plan: PlanPrice;
    quantity: number;
    status: 'TRIALING' | 'ACTIVE';
    trialEnd?: string;
    createdAt: string;
  }
>;
/** The first paid period starts when the trial ends; the anchor was set to that instant at creation. */
export type SubscriptionTrialEnded = Event<'SubscriptionTrialEnded', Period & { subscriptionId: string; endedAt: string }>;
export type SubscriptionPaused = Event<'SubscriptionPaused', { subscriptionId: string; by: PauseCause; pausedAt: string }>;
/** A new period starts on the resume date, and the anchor moves to it. */
export type SubscriptionResumed = Event<'SubscriptionResumed', Period & { subscriptionId: string; resumedAt: string }>;
/** A new interval resets the anchor to the change; the same interval keeps it. */
export type SubscriptionPlanChanged = Event<
  'SubscriptionPlanChanged',
  Period & { subscriptionId: string; plan: PlanPrice; previousPlanId: string; quantity: number; changedAt: string }
>;
export type SubscriptionQuantityChanged = Event<
  'SubscriptionQuantityChanged',
  { subscriptionId: string; quantity: number; previousQuantity: number; changedAt: string }
>;
export type SubscriptionCancellationScheduled = Event<
  'SubscriptionCancellationScheduled',
  { subscriptionId: string; cancelAt: string; reason?: string; scheduledAt: string }
>;
/** Reactivation: a scheduled cancellation taken back before it took effect. */
export type SubscriptionCancellationWithdrawn = Event<
  'SubscriptionCancellationWithdrawn',
  { subscriptionId: string; withdrawnAt: string }
>;
/**
 * `canceledAt` is when it takes effect: the request's instant, or the end of
 * the period for a scheduled cancellation. `prorate` is false when the caller
 * asked that the unused time not be credited.
 */
export type SubscriptionCanceled = Event<
  'SubscriptionCanceled',
  { subscriptionId: string; canceledAt: string; atPeriodEnd: boolean; prorate: boolean; reason?: string; requestedAt: string }
>;
export type SubscriptionExpired = Event<'SubscriptionExpired', { subscriptionId: string; reason?: string; expiredAt: string }>;
/** An invoice of the subscription went unpaid: the first makes it PAST_DUE, any further one joins the list. */
export type SubscriptionPastDue = Event<'SubscriptionPastDue', { subscriptionId: string; invoiceId: string; pastDueAt: string }>;
/** One of several unpaid invoices was settled (paid, voided or written off); the subscription stays PAST_DUE for the others. */
export type SubscriptionInvoiceSettled = Event<'SubscriptionInvoiceSettled', { subscriptionId: string; invoiceId: string; settledAt: string }>;
/** The last unpaid invoice was settled: ACTIVE again. */
export type SubscriptionRecovered = Event<'SubscriptionRecovered', { subscriptionId: string; invoiceId: string; recoveredAt: string }>;
/** A coupon's terms as redeemed on the subscription (its redemption on the coupon's stream came first); they change no price and no period. */
export type SubscriptionDiscountApplied = Event<'SubscriptionDiscountApplied', Discount & { subscriptionId: string; appliedAt: string }>;
/** The discount taken off; its redemption still counts on the coupon. */
export type SubscriptionDiscountRemoved = Event<
  'SubscriptionDiscountRemoved',
  { subscriptionId: string; couponId: string; redemptionId: string; removedAt: string }
>;

export type SubscriptionEvent =
  | SubscriptionCreated
  | SubscriptionTrialEnded
  | SubscriptionPaused
  | SubscriptionResumed
  | SubscriptionPlanChanged
  | SubscriptionQuantityChanged
  | SubscriptionCancellationScheduled
  | SubscriptionCancellationWithdrawn
  | SubscriptionCanceled
  | SubscriptionExpired
  | SubscriptionPastDue
  | SubscriptionInvoiceSettled
  | SubscriptionRecovered
  | SubscriptionDiscountApplied
  | SubscriptionDiscountRemoved;
