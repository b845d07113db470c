export { couponExists, couponInput, coupons, createCouponCommands, presentCoupon, type CouponCommands } from './commands.js';
export { couponChoice, redeemOn, redemptionIdFor } from './redeem.js';
