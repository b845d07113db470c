import { createHash } from 'node:crypto';
import { z } from 'zod';
import { couponDecider, couponStreamName, type CouponTarget } from '../../domain/coupon/index.js';
import type { Discount } from '../../domain/customer/index.js';
import { AppError, NotFoundError, safeText } from '../../domain/shared/index.js';
import { handleCommand, type EventStore } from '../../eventstore/index.js';
import { contextOf, type Ask } from '../shared/index.js';

export const couponChoice = z.object({ couponId: safeText.regex(/^cpn_[0-9a-f]{32}$/, 'not a coupon id') }).strict();

/** One redemption per coupon and target, whatever the retries: a coupon applied again to the same target is the same redemption. */
export const redemptionIdFor = (couponId: string, target: CouponTarget): string =>
  `red_${createHash('sha256').update(`${couponId}|${target.kind}|${target.id}`).digest('hex').slice(0, 32)}`;

/**
 * A coupon redeemed on a target, then its discount applied there. The
 * redemption is decided on the coupon's own stream (max redemptions, redeem
 * by, archived), so two at once cannot both take the last one; a discount the
 * target then refuses (it has another) gives the redemption's place back.
 */
export const redeemOn = async <T>(
  deps: Readonly<{ store: EventStore; now: Date }>,
  couponId: string,
  target: CouponTarget,
  ask: Ask,
  apply: (discount: Discount) => Promise<T>,
): Promise<T> => {
  const redemptionId = redemptionIdFor(couponId, target);
  const redeemed = await handleCommand(
    deps.store,
    couponStreamName(couponId),
    couponDecider,
    { type: 'RedeemCoupon', data: { redemptionId, target, now: deps.now.toISOString() } },
    { ...contextOf(ask, deps.now), commandId: `redeem:${redemptionId}` },
  );
  const coupon = redeemed.newState;
  if (coupon.status === 'NONE') throw new NotFoundError('coupon.not_found', 'the coupon does not exist');
  const { percentOff, amountOff, currency, duration, durationInPeriods } = coupon;
  const discount: Discount = {
    couponId,
    redemptionId,
    ...(percentOff !== undefined && { percentOff }),
    ...(amountOff !== undefined && { amountOff }),
    ...(currency !== undefined && { currency }),
    duration,
    ...(durationInPeriods !== undefined && { durationInPeriods }),
  };
  try {
    return await apply(discount);
  } catch (err) {
    // Only a place this call took is given back: a redemption the target already held (a retry, a stale If-Match) stays.
    if (err instanceof AppError && redeemed.newEvents.length > 0) {
      await handleCommand(
        deps.store,
        couponStreamName(couponId),
        couponDecider,
        { type: 'ReleaseRedemption', data: { redemptionId, reason: err.reason, now: deps.now.toISOString() } },
        { ...contextOf(ask, deps.now), commandId: `release:${redemptionId}:${deps.now.toISOString()}` },
      );
    }
    throw err;
  }
};
