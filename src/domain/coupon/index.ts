export type * from './types.js';
export { couponDecider, heldRedemptions, percentOffUnits, percentUnits } from './decider.js';

export const couponStreamName = (couponId: string): string => `coupon-${couponId}`;
