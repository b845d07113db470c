import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../src/domain/shared/index.js';
import {
  SUBSCRIPTION_STATUSES,
  subscriptionDecider,
  type SubscriptionCommand,
  type SubscriptionEvent,
  type SubscriptionStatus,
} from '../../src/domain/subscription/index.js';
import {
  AFTER_MAY_15,
  APR_15,
  APR_16,
  BASIC,
  contract,
  created,
  FEB_15,
  fold,
  history,
  LATER,
  MAY_15,
  paused,
  plan,
  priceOf,
  PRO,
  scheduled,
  spec,
  subscriptionId,
  trialEnded,
  TRIAL_END,
  TWENTY_OFF,
  withScheduledCancellation,
} from './subscriptionFixtures.js';

type Name =
  | 'pause'
  | 'resume'
  | 'changePlan'
  | 'changeQuantity'
  | 'cancelNow'
  | 'cancelAtPeriodEnd'
  | 'reactivate'
  | 'expire'
  | 'endTrial'
  | 'markPastDue'
  | 'markRecovered'
  | 'applyDiscount'
  | 'removeDiscount';

const commandsAt = (now: string): Record<Name, SubscriptionCommand> => ({
  pause: { type: 'PauseSubscription', data: { by: 'request', now } },
  resume: { type: 'ResumeSubscription', data: { contract: contract(), now } },
  changePlan: { type: 'ChangePlan', data: { plan: PRO, now } },
  changeQuantity: { type: 'ChangeQuantity', data: { quantity: 5, now } },
  cancelNow: { type: 'CancelSubscription', data: { atPeriodEnd: false, now } },
  cancelAtPeriodEnd: { type: 'CancelSubscription', data: { atPeriodEnd: true, now } },
  reactivate: { type: 'ReactivateSubscription', data: { now } },
  expire: { type: 'ExpireSubscription', data: { now } },
  endTrial: { type: 'EndTrial', data: { now } },
  markPastDue: { type: 'MarkPastDue', data: { invoiceId: 'inv_2', now } },
  markRecovered: { type: 'MarkRecovered', data: { invoiceId: 'inv_1', now } },
  applyDiscount: { type: 'ApplySubscriptionDiscount', data: { discount: TWENTY_OFF, now } },
  removeDiscount: { type: 'RemoveSubscriptionDiscount', data: { now } },
});
const commands = commandsAt(LATER);
const NAMES = Object.keys(commands) as Name[];

/** What each legal command appends on LATER (Apr 20), in the period [Apr 15, May 15) of the anchor Jan 15. */
const results: Record<Name, SubscriptionEvent> = {
  pause: { type: 'SubscriptionPaused', data: { subscriptionId, by: 'request', pausedAt: LATER } },
  resume: {
    type: 'SubscriptionResumed',
    data: { subscriptionId, billingAnchor: LATER, currentPeriodStart: LATER, currentPeriodEnd: '2026-05-20T09:00:00.000Z', resumedAt: LATER },
  },
  changePlan: {
    type: 'SubscriptionPlanChanged',
    data: {
      subscriptionId,
      plan: priceOf(PRO),
      previousPlanId: 'pln_basic',
      quantity: 3,
      billingAnchor: TRIAL_END,
      currentPeriodStart: APR_15,
      currentPeriodEnd: MAY_15,
      changedAt: LATER,
    },
  },
  changeQuantity: { type: 'SubscriptionQuantityChanged', data: { subscriptionId, quantity: 5, previousQuantity: 3, changedAt: LATER } },
  cancelNow: { type: 'SubscriptionCanceled', data: { subscriptionId, canceledAt: LATER, atPeriodEnd: false, prorate: true, requestedAt: LATER } },
  cancelAtPeriodEnd: { type: 'SubscriptionCancellationScheduled', data: { subscriptionId, cancelAt: MAY_15, scheduledAt: LATER } },
  reactivate: { type: 'SubscriptionCancellationWithdrawn', data: { subscriptionId, withdrawnAt: LATER } },
  expire: { type: 'SubscriptionExpired', data: { subscriptionId, expiredAt: LATER } },
  endTrial: {
    type: 'SubscriptionTrialEnded',
    data: { subscriptionId, billingAnchor: TRIAL_END, currentPeriodStart: TRIAL_END, currentPeriodEnd: FEB_15, endedAt: TRIAL_END },
  },
  markPastDue: { type: 'SubscriptionPastDue', data: { subscriptionId, invoiceId: 'inv_2', pastDueAt: LATER } },
  markRecovered: { type: 'SubscriptionRecovered', data: { subscriptionId, invoiceId: 'inv_1', recoveredAt: LATER } },
  applyDiscount: { type: 'SubscriptionDiscountApplied', data: { subscriptionId, ...TWENTY_OFF, appliedAt: LATER } },
  // Only legal where a discount is held, which no history here has (subscriptionDiscount.unit.test.ts has them).
  removeDiscount: { type: 'SubscriptionDiscountRemoved', data: { subscriptionId, couponId: TWENTY_OFF.couponId, redemptionId: TWENTY_OFF.redemptionId, removedAt: LATER } },
};

/** The spec's state machine, written out from the issue, not from the decider's table. */
const legal: Record<SubscriptionStatus, Name[]> = {
  TRIALING: ['pause', 'changePlan', 'changeQuantity', 'cancelNow', 'cancelAtPeriodEnd', 'expire', 'endTrial', 'applyDiscount'],
  ACTIVE: ['pause', 'changePlan', 'changeQuantity', 'cancelNow', 'cancelAtPeriodEnd', 'expire', 'markPastDue', 'applyDiscount'],
  // Dunning must not be dodged: no pause.
  // markPastDue names inv_2, a second unpaid invoice besides the history's inv_1.
  PAST_DUE: ['changePlan', 'changeQuantity', 'cancelNow', 'cancelAtPeriodEnd', 'expire', 'markPastDue', 'markRecovered', 'applyDiscount'],
  // A discount is for a subscription that has not ended, paused or not.
  PAUSED: ['resume', 'cancelNow', 'expire', 'applyDiscount'],
  CANCELED: [],
  EXPIRED: [],
};
/** Where the subscription already is what the command asks for (nothing is scheduled in these histories). */
const noOp: Partial<Record<Name, SubscriptionStatus[]>> = {
  pause: ['PAUSED'],
  resume: ['TRIALING', 'ACTIVE', 'PAST_DUE'],
  cancelNow: ['CANCELED'],
  cancelAtPeriodEnd: ['CANCELED'],
  reactivate: ['TRIALING', 'ACTIVE', 'PAST_DUE', 'PAUSED'],
  expire: ['EXPIRED'],
  // The trial is over already; a paused trial resumes straight into a paid period.
  endTrial: ['ACTIVE', 'PAST_DUE', 'PAUSED'],
  markRecovered: ['ACTIVE'],
  // No discount to remove; an ended subscription refuses even that.
  removeDiscount: ['TRIALING', 'ACTIVE', 'PAST_DUE', 'PAUSED'],
};
/** Refusals with a reason of their own rather than invalid_transition. */
const refusedWith: Partial<Record<`${SubscriptionStatus} ${Name}`, string>> = {
  'PAUSED cancelAtPeriodEnd': 'subscription.not_running',
};

const outcomeOf = (status: SubscriptionStatus, name: Name): string =>
  legal[status].includes(name) ? 'legal' : noOp[name]?.includes(status) ? 'no-op' : (refusedWith[`${status} ${name}`] ?? 'subscription.invalid_transition');

describe('Subscription, every command in every status', () => {
  for (const status of SUBSCRIPTION_STATUSES) {
    for (const name of NAMES) {
      const outcome = outcomeOf(status, name);
      it(`${status} + ${name}: ${outcome}`, () => {
        const then = spec.given(history[status]).when(commands[name]).then;
        if (outcome === 'legal') then([results[name]]);
        else if (outcome === 'no-op') then([]);
        else then({ error: ConflictError, reason: outcome });
      });
    }
  }

  it('names the status and the allowed transitions when it refuses', () => {
    expect(() => subscriptionDecider.decide(commands.resume, fold(history.CANCELED))).toThrow(
      expect.objectContaining({ reason: 'subscription.invalid_transition', details: { status: 'CANCELED', allowedTransitions: [] } }),
    );
    expect(() => subscriptionDecider.decide(commands.pause, fold(history.PAST_DUE))).toThrow(
      expect.objectContaining({ details: { status: 'PAST_DUE', allowedTransitions: expect.not.arrayContaining(['pause']) } }),
    );
  });

  it('lets an ended subscription change nothing, not even to what it already has', () => {
    const refused = { error: ConflictError, reason: 'subscription.invalid_transition' };
    for (const status of ['CANCELED', 'EXPIRED'] as const) {
      spec.given(history[status]).when({ type: 'ChangePlan', data: { plan: BASIC, now: LATER } }).then(refused);
      spec.given(history[status]).when({ type: 'ChangeQuantity', data: { quantity: 3, now: LATER } }).then(refused);
    }
    spec.given(history.PAUSED).when({ type: 'ChangeQuantity', data: { quantity: 3, now: LATER } }).then([]);
  });

  it('refuses every command on a subscription that does not exist', () => {
    for (const name of NAMES) spec.given([]).when(commands[name]).then({ error: NotFoundError, reason: 'subscription.not_found' });
  });
});

describe('Subscription past due on several invoices', () => {
  const pastDueOn = (invoiceId: string): SubscriptionEvent => ({ type: 'SubscriptionPastDue', data: { subscriptionId, invoiceId, pastDueAt: LATER } });
  const markPastDue = (invoiceId: string) => ({ type: 'MarkPastDue', data: { invoiceId, now: LATER } }) as const;
  const markRecovered = (invoiceId: string) => ({ type: 'MarkRecovered', data: { invoiceId, now: LATER } }) as const;
  const twoUnpaid = [...history.PAST_DUE, pastDueOn('inv_2')];

  it('adds a second unpaid invoice once, and keeps when it first went past due', () => {
    spec.given(twoUnpaid).when(markPastDue('inv_2')).then([]);
    spec.given(history.PAST_DUE).when(markPastDue('inv_1')).then([]);
    expect(fold(twoUnpaid)).toMatchObject({ status: 'PAST_DUE', pastDueSince: APR_16, pastDueInvoiceIds: ['inv_1', 'inv_2'] });
  });

  it('stays past due while another invoice is unpaid, and recovers when the last is settled', () => {
    const settled: SubscriptionEvent = { type: 'SubscriptionInvoiceSettled', data: { subscriptionId, invoiceId: 'inv_1', settledAt: LATER } };
    spec.given(twoUnpaid).when(markRecovered('inv_1')).then([settled]);
    expect(fold([...twoUnpaid, settled])).toMatchObject({ status: 'PAST_DUE', pastDueInvoiceIds: ['inv_2'] });
    spec.given([...twoUnpaid, settled]).when(markRecovered('inv_1')).then([]);
    spec.given([...twoUnpaid, settled]).when(markRecovered('inv_2')).then([
      { type: 'SubscriptionRecovered', data: { subscriptionId, invoiceId: 'inv_2', recoveredAt: LATER } },
    ]);
  });

  it('leaves a past due subscription as it is when an invoice that never made it past due is paid', () =>
    spec.given(history.PAST_DUE).when(markRecovered('inv_9')).then([]));
});

describe('Subscription with a cancellation scheduled for May 15, in every status', () => {
  const liveStatuses = ['TRIALING', 'ACTIVE', 'PAST_DUE', 'PAUSED'] as const;

  for (const status of SUBSCRIPTION_STATUSES) {
    const live = (liveStatuses as readonly string[]).includes(status);
    it(`${status} + reactivate before May 15: ${live ? 'withdrawn' : 'subscription.invalid_transition'}`, () => {
      const then = spec.given(withScheduledCancellation(status)).when(commands.reactivate).then;
      if (live) then([results.reactivate]);
      else then({ error: ConflictError, reason: 'subscription.invalid_transition' });
    });
  }

  for (const status of liveStatuses) {
    it(`${status} + cancelAtPeriodEnd again: no-op`, () => spec.given(withScheduledCancellation(status)).when(commands.cancelAtPeriodEnd).then([]));
    it(`${status} + cancelNow before May 15: canceled now`, () =>
      spec.given(withScheduledCancellation(status)).when(commands.cancelNow).then([results.cancelNow]));
  }

  // Once May 15 has passed the subscription is canceled, even before the scheduler records it.
  const after = commandsAt(AFTER_MAY_15);
  const canceledOnMay15: SubscriptionEvent = {
    type: 'SubscriptionCanceled',
    data: { subscriptionId, canceledAt: MAY_15, atPeriodEnd: true, prorate: false, requestedAt: AFTER_MAY_15 },
  };
  for (const status of liveStatuses) {
    for (const name of NAMES) {
      const outcome = name.startsWith('cancel') ? 'canceled on May 15' : name === 'expire' ? 'expired' : 'subscription.cancellation_effective';
      it(`${status} + ${name} after May 15: ${outcome}`, () => {
        const then = spec.given(withScheduledCancellation(status)).when(after[name]).then;
        if (name.startsWith('cancel')) then([canceledOnMay15]);
        else if (name === 'expire') then([{ type: 'SubscriptionExpired', data: { subscriptionId, expiredAt: AFTER_MAY_15 } }]);
        else then({ error: ConflictError, reason: outcome });
      });
    }
  }

  it('is in effect from the instant of cancelAt itself', () => {
    spec.given(withScheduledCancellation('ACTIVE')).when(commandsAt('2026-05-15T08:59:59.999Z').changeQuantity).then([
      { type: 'SubscriptionQuantityChanged', data: { subscriptionId, quantity: 5, previousQuantity: 3, changedAt: '2026-05-15T08:59:59.999Z' } },
    ]);
    spec.given(withScheduledCancellation('ACTIVE')).when(commandsAt(MAY_15).changeQuantity).then({
      error: ConflictError,
      reason: 'subscription.cancellation_effective',
    });
  });

  it('moves to the new period’s end when a change of interval starts a new period, and stays put otherwise', () => {
    const yearly = plan({ planId: 'pln_year', amount: 24_000, interval: 'year' });
    spec.given(withScheduledCancellation('ACTIVE')).when({ type: 'ChangePlan', data: { plan: yearly, now: LATER } }).then([
      {
        type: 'SubscriptionPlanChanged',
        data: {
          subscriptionId,
          plan: priceOf(yearly),
          previousPlanId: BASIC.planId,
          quantity: 3,
          billingAnchor: LATER,
          currentPeriodStart: LATER,
          currentPeriodEnd: '2027-04-20T09:00:00.000Z',
          changedAt: LATER,
        },
      },
      { type: 'SubscriptionCancellationScheduled', data: { subscriptionId, cancelAt: '2027-04-20T09:00:00.000Z', scheduledAt: LATER } },
    ]);
    // Same interval, same period: the cancellation stays on May 15.
    const decided = subscriptionDecider.decide({ type: 'ChangePlan', data: { plan: PRO, now: LATER } }, fold(withScheduledCancellation('ACTIVE')));
    expect(decided.map((e) => e.type)).toEqual(['SubscriptionPlanChanged']);
  });

  it('is gone once withdrawn: the old cancelAt no longer stops anything', () => {
    const withdrawn: SubscriptionEvent = { type: 'SubscriptionCancellationWithdrawn', data: { subscriptionId, withdrawnAt: LATER } };
    spec.given([created, trialEnded, scheduled, withdrawn]).when(after.changeQuantity).then([
      { type: 'SubscriptionQuantityChanged', data: { subscriptionId, quantity: 5, previousQuantity: 3, changedAt: AFTER_MAY_15 } },
    ]);
    spec.given([created, trialEnded, scheduled, withdrawn]).when(after.cancelNow).then([
      { type: 'SubscriptionCanceled', data: { subscriptionId, canceledAt: AFTER_MAY_15, atPeriodEnd: false, prorate: true, requestedAt: AFTER_MAY_15 } },
    ]);
  });
});

describe('Subscription pause and resume', () => {
  const cascadeResume = (status: 'ACTIVE' | 'SUSPENDED' = 'ACTIVE'): SubscriptionCommand => ({
    type: 'ResumeSubscription',
    data: { contract: contract(status), onlyIfPausedBy: 'contract', now: LATER },
  });

  it('records who paused it', () =>
    spec.given(history.ACTIVE).when({ type: 'PauseSubscription', data: { by: 'contract', now: LATER } }).then([
      { type: 'SubscriptionPaused', data: { subscriptionId, by: 'contract', pausedAt: LATER } },
    ]));

  it("the contract's resume resumes what the contract paused, and leaves what the customer paused alone", () => {
    spec.given([created, trialEnded, paused('contract')]).when(cascadeResume()).then([results.resume]);
    spec.given([created, trialEnded, paused('request')]).when(cascadeResume()).then([]);
  });

  it('resumes only under an ACTIVE contract', () => {
    for (const status of ['DRAFT', 'SUSPENDED', 'TERMINATED', 'EXPIRED'] as const) {
      spec.given(history.PAUSED).when({ type: 'ResumeSubscription', data: { contract: contract(status), now: LATER } }).then({
        error: ConflictError,
        reason: 'subscription.contract_not_active',
      });
    }
    spec
      .given([created, trialEnded, paused('contract')])
      .when(cascadeResume('SUSPENDED'))
      .then({ error: ConflictError, reason: 'subscription.contract_not_active' });
  });

  it('resumes a paused trial into a paid period starting on the resume date', () =>
    spec.given([created, paused()]).when(commands.resume).then([results.resume]));
});
