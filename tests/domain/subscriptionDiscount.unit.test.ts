import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../src/domain/shared/index.js';
import { SUBSCRIPTION_TRANSITIONS, subscriptionDecider, type SubscriptionCommand, type SubscriptionEvent } from '../../src/domain/subscription/index.js';
import {
  AFTER_MAY_15,
  APR_16,
  canceled,
  created,
  expired,
  fold,
  history,
  LATER,
  paused,
  pastDue,
  scheduled,
  spec,
  subscriptionId,
  TEN_EUR_OFF,
  trialEnded,
  TWENTY_OFF,
} from './subscriptionFixtures.js';
import type { Discount } from '../../src/domain/customer/index.js';

/** A coupon's discount on a subscription: one at a time, on a subscription that has not ended. */
const apply = (discount: Discount, now = LATER): SubscriptionCommand => ({ type: 'ApplySubscriptionDiscount', data: { discount, now } });
const remove = (now = LATER): SubscriptionCommand => ({ type: 'RemoveSubscriptionDiscount', data: { now } });
const applied = (discount: Discount, appliedAt = APR_16): SubscriptionEvent => ({ type: 'SubscriptionDiscountApplied', data: { subscriptionId, ...discount, appliedAt } });
const removed = (discount: Discount, removedAt = LATER): SubscriptionEvent => ({
  type: 'SubscriptionDiscountRemoved',
  data: { subscriptionId, couponId: discount.couponId, redemptionId: discount.redemptionId, removedAt },
});

const LIVE = ['TRIALING', 'ACTIVE', 'PAST_DUE', 'PAUSED'] as const;
const ENDED = ['CANCELED', 'EXPIRED'] as const;

describe('Subscription discount, applied', () => {
  for (const status of LIVE) {
    it(`${status}: records the coupon's terms as redeemed, with the subscription and the instant`, () =>
      spec.given(history[status]).when(apply(TWENTY_OFF)).then([
        {
          type: 'SubscriptionDiscountApplied',
          data: { subscriptionId, couponId: 'cpn_twenty', redemptionId: 'red_twenty', percentOff: '20', duration: 'repeating', durationInPeriods: 3, appliedAt: LATER },
        },
      ]));
  }

  it('keeps an amount off in its currency, and nothing the coupon did not give', () =>
    spec.given(history.ACTIVE).when(apply(TEN_EUR_OFF)).then([
      { type: 'SubscriptionDiscountApplied', data: { subscriptionId, couponId: 'cpn_ten', redemptionId: 'red_ten', amountOff: 1_000, currency: 'eur', duration: 'forever', appliedAt: LATER } },
    ]));

  it('the same redemption again appends nothing', () => spec.given([...history.ACTIVE, applied(TWENTY_OFF)]).when(apply(TWENTY_OFF)).then([]));

  it("refuses another coupon's while one is held: discount_exists, naming the coupon held", () => {
    for (const status of LIVE) {
      spec.given([...history[status], applied(TWENTY_OFF)]).when(apply(TEN_EUR_OFF)).then({ error: ConflictError, reason: 'subscription.discount_exists' });
    }
    expect(() => subscriptionDecider.decide(apply(TEN_EUR_OFF), fold([...history.ACTIVE, applied(TWENTY_OFF)]))).toThrow(
      expect.objectContaining({ reason: 'subscription.discount_exists', details: { couponId: 'cpn_twenty' } }),
    );
  });

  it('takes another coupon once the first is removed', () =>
    spec.given([...history.ACTIVE, applied(TWENTY_OFF), removed(TWENTY_OFF, APR_16)]).when(apply(TEN_EUR_OFF)).then([
      { type: 'SubscriptionDiscountApplied', data: { subscriptionId, ...TEN_EUR_OFF, appliedAt: LATER } },
    ]));
});

describe('Subscription discount, removed', () => {
  for (const status of LIVE) {
    it(`${status}: names the coupon and the redemption it took off`, () =>
      spec.given([...history[status], applied(TWENTY_OFF)]).when(remove()).then([removed(TWENTY_OFF)]));
  }

  it('with none held appends nothing, as does a second removal', () => {
    spec.given(history.ACTIVE).when(remove()).then([]);
    spec.given([...history.ACTIVE, applied(TWENTY_OFF), removed(TWENTY_OFF, APR_16)]).when(remove()).then([]);
  });
});

describe('Subscription discount on an ended subscription', () => {
  const refused = { error: ConflictError, reason: 'subscription.invalid_transition' };

  for (const status of ENDED) {
    it(`${status}: refuses to apply or remove one, even the one it holds, even a removal of none`, () => {
      const holding = [created, trialEnded, applied(TWENTY_OFF), status === 'CANCELED' ? canceled : expired];
      spec.given(history[status]).when(apply(TWENTY_OFF)).then(refused);
      spec.given(holding).when(apply(TWENTY_OFF)).then(refused);
      spec.given(holding).when(apply(TEN_EUR_OFF)).then(refused);
      spec.given(holding).when(remove()).then(refused);
      spec.given(history[status]).when(remove()).then(refused);
    });
  }

  it('lists no discount move among what an ended subscription allows, and both among what a live one does', () => {
    for (const status of ENDED) expect(SUBSCRIPTION_TRANSITIONS[status]).toEqual([]);
    for (const status of LIVE) expect(SUBSCRIPTION_TRANSITIONS[status]).toEqual(expect.arrayContaining(['apply_discount', 'remove_discount']));
  });

  it('refuses once a scheduled cancellation has taken effect, before the scheduler records it', () => {
    spec.given([...history.ACTIVE, scheduled]).when(apply(TWENTY_OFF, AFTER_MAY_15)).then({ error: ConflictError, reason: 'subscription.cancellation_effective' });
    spec.given([...history.ACTIVE, applied(TWENTY_OFF), scheduled]).when(remove(AFTER_MAY_15)).then({ error: ConflictError, reason: 'subscription.cancellation_effective' });
  });

  it('refuses a subscription that does not exist', () => {
    spec.given([]).when(apply(TWENTY_OFF)).then({ error: NotFoundError, reason: 'subscription.not_found' });
    spec.given([]).when(remove()).then({ error: NotFoundError, reason: 'subscription.not_found' });
  });
});

describe('Subscription discount in the state', () => {
  it('is held through pause, past due, recovery and the end, and gone once removed', () => {
    const withDiscount = [created, trialEnded, applied(TWENTY_OFF)];
    expect(fold(withDiscount)).toMatchObject({ discount: TWENTY_OFF, updatedAt: APR_16 });
    for (const next of [paused(), pastDue, canceled, expired]) expect(fold([...withDiscount, next])).toMatchObject({ discount: TWENTY_OFF });
    const gone = fold([...withDiscount, removed(TWENTY_OFF)]);
    expect(gone).not.toHaveProperty('discount');
    expect(gone).toMatchObject({ status: 'ACTIVE', updatedAt: LATER });
  });
});
