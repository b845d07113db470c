export type * from './types.js';
export { couponDecider, heldRedemptions, percentUnits } from './decider.js';

export const couponStreamName = (couponId: string): string => `coupon-${couponId}`;
