import { describe, expect, it } from 'vitest';
import { couponDecider, percentUnits, type CouponEvent } from '../../src/domain/coupon/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/domain/shared/index.js';
import { deciderSpec } from '../support/deciderSpec.js';

const spec = deciderSpec(couponDecider);
const NOW = '2026-03-01T00:00:00.000Z';
const LATER = '2026-06-01T00:00:00.000Z';
const terms = { name: 'Spring', percentOff: '12.5', duration: 'repeating' as const, durationInPeriods: 3, maxRedemptions: 2, redeemBy: '2026-05-01T00:00:00.000Z' };
const created: CouponEvent = { type: 'CouponCreated', data: { couponId: 'cpn_1', ...terms, createdAt: NOW } };
const redeemed = (id: string, target = { kind: 'customer' as const, id: `cus_${id}` }): CouponEvent => ({
  type: 'CouponRedeemed',
  data: { couponId: 'cpn_1', redemptionId: id, target, redeemedAt: NOW },
});
const redeem = (id: string, now = NOW) => ({ type: 'RedeemCoupon' as const, data: { redemptionId: id, target: { kind: 'customer' as const, id: `cus_${id}` }, now } });

describe('Coupon', () => {
  it('takes a percentage (two decimals at most) or an amount in a currency off, never both, for once, N periods or forever', () => {
    expect(percentUnits('12.5')).toBe(1_250);
    spec.given([]).when({ type: 'CreateCoupon', data: { couponId: 'cpn_1', ...terms, now: NOW } }).then([created]);
    const bad: Record<string, object> = {
      'both off': { percentOff: '10', amountOff: 500, currency: 'usd' },
      'neither off': { percentOff: undefined },
      'three decimals': { percentOff: '12.505' },
      'over 100': { percentOff: '100.01' },
      'amount without currency': { percentOff: undefined, amountOff: 500 },
      'periods on forever': { duration: 'forever' },
      'repeating without periods': { durationInPeriods: undefined },
      'no redemptions': { maxRedemptions: 0 },
    };
    for (const [label, change] of Object.entries(bad)) {
      const data = { couponId: 'cpn_2', ...terms, ...change, now: NOW } as never;
      spec.given([]).when({ type: 'CreateCoupon', data }).then({ error: ValidationError, reason: 'coupon.invalid' });
      expect(label).toBeTruthy();
    }
  });

  it('is redeemed at most maxRedemptions times, once per redemption however often asked, and not after redeemBy', () => {
    spec.given([created]).when(redeem('a')).then([redeemed('a')]);
    spec.given([created, redeemed('a')]).when(redeem('a')).then([]);
    spec.given([created, redeemed('a'), redeemed('b')]).when(redeem('c')).then({ error: ConflictError, reason: 'coupon.max_redemptions' });
    spec.given([created]).when(redeem('a', LATER)).then({ error: ConflictError, reason: 'coupon.expired' });
  });

  it('gives a released redemption’s place back; an archived coupon is redeemed no more', () => {
    const released: CouponEvent = { type: 'CouponRedemptionReleased', data: { couponId: 'cpn_1', redemptionId: 'b', reason: 'not applied', releasedAt: NOW } };
    spec.given([created, redeemed('a'), redeemed('b')]).when({ type: 'ReleaseRedemption', data: { redemptionId: 'b', reason: 'not applied', now: NOW } }).then([released]);
    spec.given([created, redeemed('a'), redeemed('b'), released]).when(redeem('c')).then([redeemed('c')]);
    spec.given([created, { type: 'CouponArchived', data: { couponId: 'cpn_1', archivedAt: NOW } }]).when(redeem('a')).then({ error: ConflictError, reason: 'coupon.archived' });
    spec.given([]).when(redeem('a')).then({ error: NotFoundError, reason: 'coupon.not_found' });
  });
});
