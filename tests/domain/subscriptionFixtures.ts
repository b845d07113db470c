import type { Discount } from '../../src/domain/customer/index.js';
import type {
  ContractAtCommand,
  PlanAtCommand,
  PlanPrice,
  SubscriptionCreated,
  SubscriptionEvent,
  SubscriptionStatus,
  SubscriptionTrialEnded,
} from '../../src/domain/subscription/index.js';
import { subscriptionDecider } from '../../src/domain/subscription/index.js';
import { deciderSpec } from '../support/deciderSpec.js';

/**
 * Shared givens for the Subscription tests. Every subscription here starts
 * with a 14-day trial on T0, so its billing anchor is TRIAL_END (Jan 15, 09:00)
 * and its monthly periods run from the 15th to the 15th.
 */
export const spec = deciderSpec(subscriptionDecider);
export const subscriptionId = 'sub_1';

export const T0 = '2026-01-01T09:00:00.000Z';
export const TRIAL_END = '2026-01-15T09:00:00.000Z';
export const FEB_15 = '2026-02-15T09:00:00.000Z';
/** When the status-changing events of the histories happen, inside the period [Apr 15, May 15). */
export const APR_16 = '2026-04-16T09:00:00.000Z';
/** When the commands are issued: more than three periods after the anchor. */
export const LATER = '2026-04-20T09:00:00.000Z';
export const APR_15 = '2026-04-15T09:00:00.000Z';
export const MAY_15 = '2026-05-15T09:00:00.000Z';
export const AFTER_MAY_15 = '2026-05-20T09:00:00.000Z';

export const contract = (status: ContractAtCommand['status'] = 'ACTIVE'): ContractAtCommand => ({
  contractId: 'ctr_1',
  customerId: 'cus_1',
  status,
});

const price = (overrides: Partial<PlanPrice> = {}): PlanPrice => ({
  planId: 'pln_basic',
  pricingModel: 'per_unit',
  amount: 1_500,
  currency: 'eur',
  interval: 'month',
  intervalCount: 1,
  ...overrides,
});
/** A plan as the application layer read it, and the price the subscription copies from it. */
export const plan = (overrides: Partial<PlanAtCommand> = {}): PlanAtCommand => ({ ...price(), status: 'active', trialDays: 0, ...overrides });
export const priceOf = ({ status: _status, trialDays: _trialDays, ...copied }: PlanAtCommand): PlanPrice => copied;

export const BASIC = plan({ trialDays: 14 });
export const PRO = plan({ planId: 'pln_pro', amount: 2_500 });

export const created: SubscriptionCreated = {
  type: 'SubscriptionCreated',
  data: {
    subscriptionId,
    customerId: 'cus_1',
    contractId: 'ctr_1',
    plan: priceOf(BASIC),
    quantity: 3,
    status: 'TRIALING',
    billingAnchor: TRIAL_END,
    currentPeriodStart: T0,
    currentPeriodEnd: TRIAL_END,
    trialEnd: TRIAL_END,
    createdAt: T0,
  },
};
export const trialEnded: SubscriptionTrialEnded = {
  type: 'SubscriptionTrialEnded',
  data: { subscriptionId, billingAnchor: TRIAL_END, currentPeriodStart: TRIAL_END, currentPeriodEnd: FEB_15, endedAt: TRIAL_END },
};
export const pastDue: SubscriptionEvent = { type: 'SubscriptionPastDue', data: { subscriptionId, invoiceId: 'inv_1', pastDueAt: APR_16 } };
export const paused = (by: 'request' | 'contract' = 'request'): SubscriptionEvent => ({
  type: 'SubscriptionPaused',
  data: { subscriptionId, by, pausedAt: APR_16 },
});
export const canceled: SubscriptionEvent = {
  type: 'SubscriptionCanceled',
  data: { subscriptionId, canceledAt: APR_16, atPeriodEnd: false, prorate: true, requestedAt: APR_16 },
};
export const expired: SubscriptionEvent = { type: 'SubscriptionExpired', data: { subscriptionId, expiredAt: APR_16 } };
/** Scheduled inside [Apr 15, May 15): the cancellation takes effect on May 15. */
export const scheduled: SubscriptionEvent = {
  type: 'SubscriptionCancellationScheduled',
  data: { subscriptionId, cancelAt: MAY_15, scheduledAt: APR_16 },
};

/** A coupon's terms as its redemption on the subscription gave them. */
export const TWENTY_OFF: Discount = { couponId: 'cpn_twenty', redemptionId: 'red_twenty', percentOff: '20', duration: 'repeating', durationInPeriods: 3 };
export const TEN_EUR_OFF: Discount = { couponId: 'cpn_ten', redemptionId: 'red_ten', amountOff: 1_000, currency: 'eur', duration: 'forever' };

/** Events that bring a subscription into each status. TRIALING's trial has ended, but the scheduler has not said so yet. */
export const history: Record<SubscriptionStatus, SubscriptionEvent[]> = {
  TRIALING: [created],
  ACTIVE: [created, trialEnded],
  PAST_DUE: [created, trialEnded, pastDue],
  PAUSED: [created, trialEnded, paused()],
  CANCELED: [created, trialEnded, canceled],
  EXPIRED: [created, trialEnded, expired],
};

/** The same statuses with a cancellation scheduled for May 15 before the status was reached. */
export const withScheduledCancellation = (status: SubscriptionStatus): SubscriptionEvent[] => {
  const events = history[status];
  return status === 'TRIALING' || status === 'ACTIVE' ? [...events, scheduled] : [...events.slice(0, -1), scheduled, events.at(-1)!];
};

export const fold = (events: readonly SubscriptionEvent[]) =>
  events.reduce(subscriptionDecider.evolve, subscriptionDecider.initialState());
