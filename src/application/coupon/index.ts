export { couponExists, couponInput, coupons, createCouponCommands, presentCoupon, type CouponCommands } from './commands.js';
