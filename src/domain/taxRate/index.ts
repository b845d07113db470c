export type * from './types.js';
export { taxRateDecider } from './decider.js';

export const taxRateStreamName = (taxRateId: string): string => `tax_rate-${taxRateId}`;
