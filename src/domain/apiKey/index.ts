export type * from './types.js';
export { SCOPE_RESOURCES } from './types.js';
export { apiKeyDecider, apiKeyUsable, rollableUntil } from './decider.js';

export const apiKeyStreamName = (keyId: string): string => `api_key-${keyId}`;
