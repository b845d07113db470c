export type * from './types.js';
export { refundDecider } from './decider.js';

export const refundStreamName = (refundId: string): string => `refund-${refundId}`;
