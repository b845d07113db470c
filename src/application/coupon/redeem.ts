import { createHash } from 'node:crypto';
import { z } from 'zod';
import { couponDecider, couponStreamName, type CouponTarget } from '../../domain/coupon/index.js';
import { discountOf, type Discount } from '../../domain/customer/index.js';
import { AppError, NotFoundError, safeText } from '../../domain/shared/index.js';
import { foldStream, handleCommand, type EventStore } from '../../eventstore/index.js';
import { contextOf, type Ask } from '../shared/index.js';

export const couponChoice = z.object({ couponId: safeText.regex(/^cpn_[0-9a-f]{32}$/, 'not a coupon id') }).strict();

/** One redemption per coupon and target, whatever the retries: a coupon applied again to the same target is the same redemption. */
export const redemptionIdFor = (couponId: string, target: CouponTarget): string =>
  `red_${createHash('sha256').update(`${couponId}|${target.kind}|${target.id}`).digest('hex').slice(0, 32)}`;

/**
 * A coupon redeemed on a target, then its discount applied there. The
 * redemption is decided on the coupon's own stream (max redemptions, redeem
 * by, archived), so two at once cannot both take the last one; a discount the
 * target then refuses (it has another) gives the redemption's place back,
 * unless the target holds it by then: two identical requests at once, one
 * applied and one refused, leave the place the applied one holds.
 */
export const redeemOn = async <T>(
  deps: Readonly<{ store: EventStore; now: Date }>,
  couponId: string,
  target: CouponTarget,
  ask: Ask,
  apply: (discount: Discount) => Promise<T>,
  /** Whether the target's discount is this redemption now, read from its stream. */
  holds: (redemptionId: string) => Promise<boolean>,
): Promise<T> => {
  const redemptionId = redemptionIdFor(couponId, target);
  // A redemption the target holds already (a retry, a stale If-Match, a coupon applied again) is not this call's to give back.
  const before = (await foldStream(deps.store, couponStreamName(couponId), couponDecider)).state;
  const heldBefore = before.status !== 'NONE' && before.redemptions.some((r) => r.redemptionId === redemptionId && r.releasedAt === undefined);
  const redeemed = await handleCommand(
    deps.store,
    couponStreamName(couponId),
    couponDecider,
    { type: 'RedeemCoupon', data: { redemptionId, target, now: deps.now.toISOString() } },
    // No commandId: the decider answers a redemption held already, and one given back is taken again (a command id would answer the first).
    contextOf(ask, deps.now),
  );
  const coupon = redeemed.newState;
  if (coupon.status === 'NONE') throw new NotFoundError('coupon.not_found', 'the coupon does not exist');
  const discount = discountOf({ ...coupon, couponId, redemptionId });
  try {
    return await apply(discount);
  } catch (err) {
    if (err instanceof AppError && !heldBefore && !(await holds(redemptionId))) {
      await handleCommand(
        deps.store,
        couponStreamName(couponId),
        couponDecider,
        { type: 'ReleaseRedemption', data: { redemptionId, reason: err.reason, now: deps.now.toISOString() } },
        contextOf(ask, deps.now),
      );
    }
    throw err;
  }
};
