import type { Command, Event } from '../shared/index.js';

/**
 * A coupon (`coupon-cpn_…`), Stripe's model: `percentOff` (up to two
 * decimals), or `amountOff` in a `currency`; for `once` (one invoice),
 * `repeating` (`durationInPeriods` invoices) or `forever`; at most
 * `maxRedemptions` redemptions, none after `redeemBy`. Each redemption (on a
 * customer or a subscription) is decided on the coupon's own stream, so two at
 * once cannot both take the last one.
 */
export type CouponDuration = 'once' | 'repeating' | 'forever';
export type CouponTerms = Readonly<{
  name: string;
  percentOff?: string;
  amountOff?: number;
  currency?: string;
  duration: CouponDuration;
  durationInPeriods?: number;
  maxRedemptions?: number;
  redeemBy?: string;
}>;
/** What a coupon is redeemed on. */
export type CouponTarget = Readonly<{ kind: 'customer' | 'subscription'; id: string }>;

export type CreateCoupon = Command<'CreateCoupon', CouponTerms & { couponId: string; now: string }>;
/** `redemptionId` is derived from the target, so the same redemption asked again is the first one. */
export type RedeemCoupon = Command<'RedeemCoupon', { redemptionId: string; target: CouponTarget; now: string }>;
/** A redemption whose discount could not be applied to its target gives its place back. */
export type ReleaseRedemption = Command<'ReleaseRedemption', { redemptionId: string; reason: string; now: string }>;
export type ArchiveCoupon = Command<'ArchiveCoupon', { now: string }>;
export type CouponCommand = CreateCoupon | RedeemCoupon | ReleaseRedemption | ArchiveCoupon;

export type CouponCreated = Event<'CouponCreated', CouponTerms & { couponId: string; createdAt: string }>;
export type CouponRedeemed = Event<'CouponRedeemed', { couponId: string; redemptionId: string; target: CouponTarget; redeemedAt: string }>;
export type CouponRedemptionReleased = Event<'CouponRedemptionReleased', { couponId: string; redemptionId: string; reason: string; releasedAt: string }>;
export type CouponArchived = Event<'CouponArchived', { couponId: string; archivedAt: string }>;
export type CouponEvent = CouponCreated | CouponRedeemed | CouponRedemptionReleased | CouponArchived;

export type Redemption = Readonly<{ redemptionId: string; target: CouponTarget; redeemedAt: string; releasedAt?: string }>;
type Known = CouponTerms & Readonly<{ couponId: string; createdAt: string; redemptions: readonly Redemption[] }>;
export type CouponState = Readonly<{ status: 'NONE' }> | (Known & Readonly<{ status: 'ACTIVE' }>) | (Known & Readonly<{ status: 'ARCHIVED'; archivedAt: string }>);
