import { z } from 'zod';
import type { Clock } from '../../clock/index.js';
import { couponDecider, couponStreamName, heldRedemptions, type CouponCommand, type CouponEvent, type CouponState } from '../../domain/coupon/index.js';
import { displayText, safeText } from '../../domain/shared/index.js';
import type { EventStore } from '../../eventstore/index.js';
import { commandPath, currency, instant, newId, parseInput, type Aggregate, type Ask } from '../shared/index.js';

export const couponInput = z
  .object({
    name: displayText(100),
    percentOff: safeText.regex(/^\d{1,3}(\.\d{1,2})?$/, 'a percentage with at most two decimals, such as 12.5').optional(),
    amountOff: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
    currency: currency.optional(),
    duration: z.enum(['once', 'repeating', 'forever']),
    durationInPeriods: z.number().int().min(1).max(1_200).optional(),
    maxRedemptions: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
    redeemBy: instant.optional(),
  })
  .strict();

export const couponExists = (s: CouponState): s is Exclude<CouponState, { status: 'NONE' }> => s.status !== 'NONE';
export const coupons: Aggregate<CouponState, CouponCommand, CouponEvent> = { decider: couponDecider, streamOf: couponStreamName };

/** Coupons: created, never edited, archived; redeemed when a discount is applied (with the discounts). */
export const createCouponCommands = (deps: Readonly<{ store: EventStore; clock: Clock }>) => {
  const path = commandPath(deps.store, deps.clock, coupons);
  const now = () => deps.clock.now().toISOString();
  return {
    current: path.current,
    create: (input: z.input<typeof couponInput>, ask: Ask) => {
      const valid = parseInput(couponInput, input, 'coupon.invalid');
      const couponId = newId('cpn');
      return path.run(couponId, { type: 'CreateCoupon', data: { couponId, ...valid, now: now() } }, ask, true);
    },
    archive: (couponId: string, ask: Ask) => path.run(couponId, { type: 'ArchiveCoupon', data: { now: now() } }, ask),
  };
};

export type CouponCommands = ReturnType<typeof createCouponCommands>;

/** A coupon as the API shows it; `timesRedeemed` counts redemptions that hold a place. */
export const presentCoupon = (s: Exclude<CouponState, { status: 'NONE' }>, revision: bigint) => ({
  couponId: s.couponId,
  name: s.name,
  percentOff: s.percentOff ?? null,
  amountOff: s.amountOff ?? null,
  currency: s.currency ?? null,
  duration: s.duration,
  durationInPeriods: s.durationInPeriods ?? null,
  maxRedemptions: s.maxRedemptions ?? null,
  redeemBy: s.redeemBy ?? null,
  timesRedeemed: heldRedemptions(s).length,
  status: s.status,
  createdAt: s.createdAt,
  archivedAt: s.status === 'ARCHIVED' ? s.archivedAt : null,
  revision: revision.toString(),
});
