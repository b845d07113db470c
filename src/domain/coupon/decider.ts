import { compareInstants, ConflictError, NotFoundError, parseInstant, ValidationError, type Decider } from '../shared/index.js';
import type { CouponCommand, CouponEvent, CouponState, CouponTerms, Redemption } from './types.js';

const invalid = (field: string, message: string) => new ValidationError('coupon.invalid', `${field} ${message}`, { fields: [{ path: field, message }] });
const PERCENT = /^(\d{1,3})(?:\.(\d{1,2}))?$/;

/** A percentage off as hundredths of a percent ("12.5" is 1,250), or undefined unless it is above 0 and at most 100, with two decimals at most. */
export const percentOffUnits = (percentOff: string): number | undefined => {
  const m = PERCENT.exec(percentOff);
  const units = m ? Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')) : NaN;
  return units > 0 && units <= 10_000 ? units : undefined;
};

/** A coupon's percentage as hundredths of a percent, refused as the coupon's. */
export const percentUnits = (percentOff: string): number => {
  const units = percentOffUnits(percentOff);
  if (units === undefined) throw invalid('percentOff', `is above 0 and at most 100, with at most two decimals: not ${percentOff}`);
  return units;
};

const checkTerms = (t: CouponTerms): void => {
  if (t.name.trim() === '') throw invalid('name', 'must not be empty');
  if ((t.percentOff === undefined) === (t.amountOff === undefined)) throw invalid('percentOff', 'a coupon takes a percentage or an amount off, one of them');
  if (t.percentOff !== undefined) {
    percentUnits(t.percentOff);
    if (t.currency !== undefined) throw invalid('currency', 'belongs to an amount off only');
  }
  if (t.amountOff !== undefined) {
    if (!Number.isSafeInteger(t.amountOff) || t.amountOff <= 0) throw invalid('amountOff', 'is a whole number of minor units above 0');
    if (t.currency === undefined || !/^[a-z]{3}$/.test(t.currency)) throw invalid('currency', 'is an ISO 4217 code in lower case, with an amount off');
  }
  if (!['once', 'repeating', 'forever'].includes(t.duration)) throw invalid('duration', 'is once, repeating or forever');
  if ((t.duration === 'repeating') !== (t.durationInPeriods !== undefined)) throw invalid('durationInPeriods', 'is given for a repeating coupon, and only then');
  if (t.durationInPeriods !== undefined && (!Number.isSafeInteger(t.durationInPeriods) || t.durationInPeriods < 1)) throw invalid('durationInPeriods', 'is a whole number ≥ 1');
  if (t.maxRedemptions !== undefined && (!Number.isSafeInteger(t.maxRedemptions) || t.maxRedemptions < 1)) throw invalid('maxRedemptions', 'is a whole number ≥ 1');
  if (t.redeemBy !== undefined) parseInstant(t.redeemBy, 'redeemBy');
};

const sameTerms = (a: CouponTerms, b: CouponTerms) =>
  JSON.stringify([a.name, a.percentOff, a.amountOff, a.currency, a.duration, a.durationInPeriods, a.maxRedemptions, a.redeemBy]) ===
  JSON.stringify([b.name, b.percentOff, b.amountOff, b.currency, b.duration, b.durationInPeriods, b.maxRedemptions, b.redeemBy]);

/** Redemptions that hold a place: not released. */
export const heldRedemptions = (state: Exclude<CouponState, { status: 'NONE' }>): readonly Redemption[] => state.redemptions.filter((r) => r.releasedAt === undefined);

export const decideCoupon = (command: CouponCommand, state: CouponState): CouponEvent[] => {
  if (command.type === 'CreateCoupon') {
    const { couponId, now, ...terms } = command.data;
    if (state.status !== 'NONE') {
      if (sameTerms(state, terms)) return [];
      throw new ConflictError('coupon.already_exists', `coupon ${state.couponId} already exists: a coupon never changes, create another`);
    }
    checkTerms(terms);
    return [{ type: 'CouponCreated', data: { couponId, ...terms, createdAt: now } }];
  }
  if (state.status === 'NONE') throw new NotFoundError('coupon.not_found', 'the coupon does not exist');
  const { couponId } = state;
  switch (command.type) {
    case 'RedeemCoupon': {
      const { redemptionId, target, now } = command.data;
      const prior = state.redemptions.find((r) => r.redemptionId === redemptionId && r.releasedAt === undefined);
      if (prior) return [];
      if (state.status === 'ARCHIVED') throw new ConflictError('coupon.archived', 'the coupon is archived: it is redeemed no more');
      if (state.redeemBy !== undefined && compareInstants(now, state.redeemBy) > 0) throw new ConflictError('coupon.expired', `the coupon could be redeemed until ${state.redeemBy}`, { redeemBy: state.redeemBy });
      const held = heldRedemptions(state).length;
      if (state.maxRedemptions !== undefined && held >= state.maxRedemptions) {
        throw new ConflictError('coupon.max_redemptions', `the coupon was redeemed ${held} times, its most`, { maxRedemptions: state.maxRedemptions });
      }
      return [{ type: 'CouponRedeemed', data: { couponId, redemptionId, target, redeemedAt: now } }];
    }
    case 'ReleaseRedemption': {
      const { redemptionId, reason, now } = command.data;
      const held = state.redemptions.find((r) => r.redemptionId === redemptionId);
      if (!held) throw new NotFoundError('coupon.redemption_not_found', `the coupon has no redemption ${redemptionId}`);
      if (held.releasedAt !== undefined) return [];
      return [{ type: 'CouponRedemptionReleased', data: { couponId, redemptionId, reason, releasedAt: now } }];
    }
    case 'ArchiveCoupon':
      if (state.status === 'ARCHIVED') return [];
      return [{ type: 'CouponArchived', data: { couponId, archivedAt: command.data.now } }];
  }
  const _exhaustive: never = command;
  return _exhaustive;
};

export const evolveCoupon = (state: CouponState, event: CouponEvent): CouponState => {
  if (event.type === 'CouponCreated') {
    const { createdAt, ...terms } = event.data;
    return { ...terms, status: 'ACTIVE', createdAt, redemptions: [] };
  }
  if (state.status === 'NONE') return state;
  switch (event.type) {
    case 'CouponRedeemed': {
      const { redemptionId, target, redeemedAt } = event.data;
      return { ...state, redemptions: [...state.redemptions.filter((r) => r.redemptionId !== redemptionId), { redemptionId, target, redeemedAt }] };
    }
    case 'CouponRedemptionReleased':
      return { ...state, redemptions: state.redemptions.map((r) => (r.redemptionId === event.data.redemptionId ? { ...r, releasedAt: event.data.releasedAt } : r)) };
    case 'CouponArchived':
      return { ...state, status: 'ARCHIVED', archivedAt: event.data.archivedAt };
  }
};

export const couponDecider: Decider<CouponState, CouponCommand, CouponEvent> = {
  decide: decideCoupon,
  evolve: evolveCoupon,
  initialState: () => ({ status: 'NONE' }),
};
