import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../src/domain/shared/index.js';
import type {
  ContractAtCommand,
  PlanAtCommand,
  SubscriptionCommand,
  SubscriptionCreated,
  SubscriptionEvent,
} from '../../src/domain/subscription/index.js';
import {
  APR_15,
  APR_16,
  BASIC,
  canceled,
  contract,
  created,
  expired,
  FEB_15,
  fold,
  history,
  LATER,
  MAY_15,
  pastDue,
  paused,
  plan,
  priceOf,
  PRO,
  scheduled,
  spec,
  subscriptionId,
  T0,
  trialEnded,
  TRIAL_END,
} from './subscriptionFixtures.js';

const JAN_31 = '2026-01-31T09:00:00.000Z';
const MAY_20 = '2026-05-20T09:00:00.000Z';
const MONTHLY = plan();
const YEARLY = plan({ planId: 'pln_yearly', interval: 'year', amount: 15_000 });
const FLAT = plan({ planId: 'pln_flat', pricingModel: 'flat_rate', amount: 9_900 });

const create = (overrides: { contract?: ContractAtCommand; plan?: PlanAtCommand; quantity?: number; now?: string } = {}): SubscriptionCommand => ({
  type: 'CreateSubscription',
  data: { subscriptionId, contract: contract(), plan: BASIC, quantity: 3, now: T0, ...overrides },
});
/** A subscription created without a trial on `now`, whose period 0 ends on `end`. */
const createdActive = (on: PlanAtCommand, now: string, end: string, quantity = 3): SubscriptionCreated => ({
  type: 'SubscriptionCreated',
  data: {
    subscriptionId,
    customerId: 'cus_1',
    contractId: 'ctr_1',
    plan: priceOf(on),
    quantity,
    status: 'ACTIVE',
    billingAnchor: now,
    currentPeriodStart: now,
    currentPeriodEnd: end,
    createdAt: now,
  },
});
const changePlan = (to: PlanAtCommand, now = LATER): SubscriptionCommand => ({ type: 'ChangePlan', data: { plan: to, now } });
const changeQuantity = (quantity: number): SubscriptionCommand => ({ type: 'ChangeQuantity', data: { quantity, now: LATER } });
const cancelAtPeriodEnd = (now: string): SubscriptionCommand => ({ type: 'CancelSubscription', data: { atPeriodEnd: true, now } });
const scheduledOn = (now: string, cancelAt: string): SubscriptionEvent => ({
  type: 'SubscriptionCancellationScheduled',
  data: { subscriptionId, cancelAt, scheduledAt: now },
});
const planChanged = (
  to: PlanAtCommand,
  period: [anchor: string, start: string, end: string],
  { now = LATER, quantity = 3, previousPlanId = 'pln_basic' } = {},
): SubscriptionEvent => ({
  type: 'SubscriptionPlanChanged',
  data: {
    subscriptionId,
    plan: priceOf(to),
    previousPlanId,
    quantity,
    billingAnchor: period[0],
    currentPeriodStart: period[1],
    currentPeriodEnd: period[2],
    changedAt: now,
  },
});

describe('Subscription creation', () => {
  it('starts TRIALING when the plan has trial days: the trial ends trialDays later and anchors the billing', () =>
    spec.given([]).when(create()).then([created]));

  it('starts ACTIVE without a trial, with period 0 = [now, now + interval × count)', () => {
    spec.given([]).when(create({ plan: MONTHLY })).then([createdActive(MONTHLY, T0, '2026-02-01T09:00:00.000Z')]);
    const quarterly = plan({ intervalCount: 3 });
    spec.given([]).when(create({ plan: quarterly })).then([createdActive(quarterly, T0, '2026-04-01T09:00:00.000Z')]);
    spec.given([]).when(create({ plan: YEARLY })).then([createdActive(YEARLY, T0, '2027-01-01T09:00:00.000Z')]);
  });

  it("takes the customer from the contract", () => {
    const event = createdActive(MONTHLY, T0, '2026-02-01T09:00:00.000Z');
    spec
      .given([])
      .when(create({ plan: MONTHLY, contract: { ...contract(), customerId: 'cus_9' } }))
      .then([{ ...event, data: { ...event.data, customerId: 'cus_9' } }]);
  });

  it.each([
    ['a missing contract', { contract: contract('NONE') }, ValidationError, 'subscription.contract_not_found'],
    ['a DRAFT contract', { contract: contract('DRAFT') }, ConflictError, 'subscription.contract_not_active'],
    ['a SUSPENDED contract', { contract: contract('SUSPENDED') }, ConflictError, 'subscription.contract_not_active'],
    ['a TERMINATED contract', { contract: contract('TERMINATED') }, ConflictError, 'subscription.contract_not_active'],
    ['an EXPIRED contract', { contract: contract('EXPIRED') }, ConflictError, 'subscription.contract_not_active'],
    ['a contract that starts later', { contract: { ...contract(), startsAt: '2026-01-01T09:00:00.001Z' } }, ConflictError, 'subscription.contract_not_in_force'],
    ['a contract that ended', { contract: { ...contract(), endsAt: T0 } }, ConflictError, 'subscription.contract_not_in_force'],
    ['a missing plan', { plan: plan({ status: 'none' }) }, ValidationError, 'subscription.plan_not_found'],
    ['an archived plan', { plan: plan({ status: 'archived' }) }, ConflictError, 'subscription.plan_not_active'],
    ['a quantity of 0', { quantity: 0 }, ValidationError, 'subscription.invalid'],
    ['a fractional quantity', { quantity: 1.5 }, ValidationError, 'subscription.invalid'],
    ['a flat-rate plan with quantity 2', { plan: FLAT, quantity: 2 }, ValidationError, 'subscription.invalid'],
    ['amount × quantity beyond MAX_SAFE_INTEGER', { quantity: Math.ceil(Number.MAX_SAFE_INTEGER / 1_500) }, ValidationError, 'subscription.invalid'],
  ] as const)('refuses %s', (_label, overrides, error, reason) => spec.given([]).when(create(overrides)).then({ error, reason }));

  it('accepts a contract in force from now until later', () => {
    const inForce = { ...contract(), startsAt: T0, endsAt: '2026-01-01T09:00:00.001Z' };
    spec.given([]).when(create({ contract: inForce })).then([created]);
  });

  it('refuses to create it twice', () => spec.given([created]).when(create()).then({ error: ConflictError, reason: 'subscription.already_exists' }));
});

describe('Subscription periods are computed from the anchor', () => {
  it('cancels at the end of the period running at now, three months after creation', () => {
    const jan31 = createdActive(MONTHLY, JAN_31, '2026-02-28T09:00:00.000Z');
    spec.given([jan31]).when(cancelAtPeriodEnd('2026-05-05T09:00:00.000Z')).then([scheduledOn('2026-05-05T09:00:00.000Z', '2026-05-31T09:00:00.000Z')]);
  });

  it('keeps a month-end anchor: created Jan 31, cancelled on Mar 5 at period end → Mar 31, not Mar 28', () => {
    const jan31 = createdActive(MONTHLY, JAN_31, '2026-02-28T09:00:00.000Z');
    spec.given([jan31]).when(cancelAtPeriodEnd('2026-03-05T09:00:00.000Z')).then([scheduledOn('2026-03-05T09:00:00.000Z', '2026-03-31T09:00:00.000Z')]);
  });

  it('cancels a trial at period end when the trial ends', () =>
    spec.given([created]).when(cancelAtPeriodEnd('2026-01-10T09:00:00.000Z')).then([scheduledOn('2026-01-10T09:00:00.000Z', TRIAL_END)]));

  it('keeps a cancellation reason and a request not to prorate', () =>
    spec
      .given(history.ACTIVE)
      .when({ type: 'CancelSubscription', data: { atPeriodEnd: false, prorate: false, reason: 'too dear', now: LATER } })
      .then([
        {
          type: 'SubscriptionCanceled',
          data: { subscriptionId, canceledAt: LATER, atPeriodEnd: false, prorate: false, reason: 'too dear', requestedAt: LATER },
        },
      ]));

  it('ends a trial only once trialEnd has passed, into period 0 from the anchor', () => {
    spec
      .given([created])
      .when({ type: 'EndTrial', data: { now: '2026-01-15T08:59:59.999Z' } })
      .then({ error: ConflictError, reason: 'subscription.trial_not_ended' });
    spec.given([created]).when({ type: 'EndTrial', data: { now: TRIAL_END } }).then([trialEnded]);
  });
});

describe('Subscription plan and quantity changes', () => {
  it('keeps the anchor and the running period for the same interval', () => {
    const jan31 = createdActive(MONTHLY, JAN_31, '2026-02-28T09:00:00.000Z');
    const now = '2026-03-05T09:00:00.000Z';
    spec.given([jan31]).when(changePlan(PRO, now)).then([planChanged(PRO, [JAN_31, '2026-02-28T09:00:00.000Z', '2026-03-31T09:00:00.000Z'], { now })]);
  });

  it('resets the anchor to the change on yearly → monthly, and on a new interval count', () => {
    const yearly = createdActive(YEARLY, JAN_31, '2027-01-31T09:00:00.000Z');
    const JUL_10 = '2026-07-10T09:00:00.000Z';
    spec.given([yearly]).when(changePlan(MONTHLY, JUL_10)).then([
      planChanged(MONTHLY, [JUL_10, JUL_10, '2026-08-10T09:00:00.000Z'], { now: JUL_10, previousPlanId: 'pln_yearly' }),
    ]);
    const quarterly = plan({ planId: 'pln_quarterly', intervalCount: 3 });
    spec.given(history.ACTIVE).when(changePlan(quarterly)).then([planChanged(quarterly, [LATER, LATER, '2026-07-20T09:00:00.000Z'])]);
  });

  it('keeps the trial end as the anchor during a trial, whatever the new interval', () => {
    const JAN_10 = '2026-01-10T09:00:00.000Z';
    const changed = planChanged(YEARLY, [TRIAL_END, T0, TRIAL_END], { now: JAN_10 });
    spec.given([created]).when(changePlan(YEARLY, JAN_10)).then([changed]);
    spec.given([created, changed]).when({ type: 'EndTrial', data: { now: TRIAL_END } }).then([
      { ...trialEnded, data: { ...trialEnded.data, currentPeriodEnd: '2027-01-15T09:00:00.000Z' } },
    ]);
  });

  it('ends an overdue trial at its trialEnd even after a plan change moved the current period', () => {
    const changed = planChanged(PRO, [TRIAL_END, APR_15, MAY_15]);
    spec.given([created, changed]).when({ type: 'EndTrial', data: { now: LATER } }).then([trialEnded]);
  });

  it('sets the quantity to 1 on a switch to a flat-rate plan', () =>
    spec.given(history.ACTIVE).when(changePlan(FLAT)).then([planChanged(FLAT, [TRIAL_END, APR_15, MAY_15], { quantity: 1 })]));

  it('appends nothing for the same plan or the same quantity', () => {
    spec.given(history.ACTIVE).when(changePlan(BASIC)).then([]);
    spec.given(history.ACTIVE).when(changeQuantity(3)).then([]);
  });

  it.each([
    ['another currency', changePlan(plan({ planId: 'pln_usd', currency: 'usd' })), ValidationError, 'subscription.currency_mismatch'],
    ['a missing plan', changePlan(plan({ planId: 'pln_x', status: 'none' })), ValidationError, 'subscription.plan_not_found'],
    ['an archived plan', changePlan(plan({ planId: 'pln_old', status: 'archived' })), ConflictError, 'subscription.plan_not_active'],
    [
      'a plan whose amount × quantity overflows',
      changePlan(plan({ planId: 'pln_huge', amount: Math.ceil(Number.MAX_SAFE_INTEGER / 3) })),
      ValidationError,
      'subscription.invalid',
    ],
    ['a quantity of 0', changeQuantity(0), ValidationError, 'subscription.invalid'],
    ['a quantity whose amount × quantity overflows', changeQuantity(Math.ceil(Number.MAX_SAFE_INTEGER / 1_500)), ValidationError, 'subscription.invalid'],
  ] as const)('refuses %s', (_label, command, error, reason) => spec.given(history.ACTIVE).when(command).then({ error, reason }));

  it('refuses a quantity other than 1 on a flat-rate plan', () =>
    spec
      .given([createdActive(FLAT, T0, '2026-02-01T09:00:00.000Z', 1)])
      .when(changeQuantity(2))
      .then({ error: ValidationError, reason: 'subscription.invalid' }));
});

describe('Subscription state, folded from its history', () => {
  const resumed: SubscriptionEvent = {
    type: 'SubscriptionResumed',
    data: { subscriptionId, billingAnchor: LATER, currentPeriodStart: LATER, currentPeriodEnd: MAY_20, resumedAt: LATER },
  };

  it('holds the trial, the plan, the quantity and the anchor from creation', () => {
    const state = fold([created]);
    expect(state).toEqual({
      status: 'TRIALING',
      subscriptionId,
      customerId: 'cus_1',
      contractId: 'ctr_1',
      plan: priceOf(BASIC),
      quantity: 3,
      billingAnchor: TRIAL_END,
      currentPeriodStart: T0,
      currentPeriodEnd: TRIAL_END,
      trialEnd: TRIAL_END,
      cancelAtPeriodEnd: false,
      createdAt: T0,
      updatedAt: T0,
    });
  });

  it('moves into period 0 when the trial ends, and takes a new plan, quantity and period on a change', () => {
    expect(fold(history.ACTIVE)).toMatchObject({
      status: 'ACTIVE',
      billingAnchor: TRIAL_END,
      currentPeriodStart: TRIAL_END,
      currentPeriodEnd: FEB_15,
      updatedAt: TRIAL_END,
    });
    const quantity: SubscriptionEvent = { type: 'SubscriptionQuantityChanged', data: { subscriptionId, quantity: 7, previousQuantity: 3, changedAt: APR_16 } };
    const changed = planChanged(PRO, [LATER, LATER, MAY_20], { quantity: 7 });
    expect(fold([...history.ACTIVE, quantity, changed])).toMatchObject({
      status: 'ACTIVE',
      plan: priceOf(PRO),
      quantity: 7,
      billingAnchor: LATER,
      currentPeriodStart: LATER,
      currentPeriodEnd: MAY_20,
      updatedAt: LATER,
    });
  });

  it('remembers who paused it, and forgets it on resume, with the new anchor and period', () => {
    expect(fold([...history.ACTIVE, paused('contract')])).toMatchObject({ status: 'PAUSED', pausedAt: APR_16, pausedBy: 'contract' });
    const state = fold([...history.ACTIVE, paused('contract'), resumed]);
    expect(state).toMatchObject({ status: 'ACTIVE', billingAnchor: LATER, currentPeriodStart: LATER, currentPeriodEnd: MAY_20, updatedAt: LATER });
    expect(state).not.toHaveProperty('pausedAt');
    expect(state).not.toHaveProperty('pausedBy');
  });

  it('holds a scheduled cancellation, and drops it entirely when it is withdrawn', () => {
    expect(fold([...history.ACTIVE, scheduled])).toMatchObject({ status: 'ACTIVE', cancelAtPeriodEnd: true, cancelAt: MAY_15 });
    const withdrawn: SubscriptionEvent = { type: 'SubscriptionCancellationWithdrawn', data: { subscriptionId, withdrawnAt: LATER } };
    const state = fold([...history.ACTIVE, scheduled, withdrawn]);
    expect(state).toMatchObject({ status: 'ACTIVE', cancelAtPeriodEnd: false, updatedAt: LATER });
    expect(state).not.toHaveProperty('cancelAt');
  });

  it('holds the failed invoice while past due, and drops it on recovery', () => {
    expect(fold(history.PAST_DUE)).toMatchObject({ status: 'PAST_DUE', pastDueSince: APR_16, pastDueInvoiceIds: ['inv_1'] });
    const recovered: SubscriptionEvent = { type: 'SubscriptionRecovered', data: { subscriptionId, invoiceId: 'inv_1', recoveredAt: LATER } };
    const state = fold([...history.PAST_DUE, recovered]);
    expect(state).toMatchObject({ status: 'ACTIVE', updatedAt: LATER });
    expect(state).not.toHaveProperty('pastDueSince');
    expect(state).not.toHaveProperty('pastDueInvoiceIds');
  });

  it('records when it ended', () => {
    expect(fold([...history.ACTIVE, canceled])).toMatchObject({ status: 'CANCELED', canceledAt: APR_16, updatedAt: APR_16 });
    expect(fold([...history.ACTIVE, paused(), canceled])).not.toHaveProperty('pausedAt');
    expect(fold([...history.ACTIVE, expired])).toMatchObject({ status: 'EXPIRED', expiredAt: APR_16, updatedAt: APR_16 });
    expect(fold([...history.ACTIVE, pastDue, expired])).not.toHaveProperty('pastDueSince');
  });
});
