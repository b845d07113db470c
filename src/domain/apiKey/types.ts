import type { Command, Event } from '../shared/index.js';

/**
 * What an API key may reach, per resource: `read`, or `write` (which reads
 * too). A key acts with these scopes and, on every request, with no more than
 * the role its maker has then.
 */
export const SCOPE_RESOURCES = [
  'plans',
  'customers',
  'contracts',
  'subscriptions',
  'invoices',
  'credit_notes',
  'refunds',
  'coupons',
  'tax_rates',
  'ledger',
  'usage',
  'webhooks',
  'jobs',
  'audit',
  'events',
  'test_clock',
] as const;
export type ScopeResource = (typeof SCOPE_RESOURCES)[number];
export type ScopeAccess = 'read' | 'write';
/** `customers:read`, `invoices:write`. */
export type Scope = `${ScopeResource}:${ScopeAccess}`;

/** `live` for a system on the wall clock, `test` for one on a simulated clock: the key's prefix says which. */
export type ApiKeyMode = 'live' | 'test';

export type ApiKeyTerms = Readonly<{
  keyId: string;
  name: string;
  mode: ApiKeyMode;
  /** The user who made it: the key never does more than their role allows now. */
  ownerUserId: string;
  scopes: readonly Scope[];
  /** Wall-clock instant after which the key is refused; none: until revoked. */
  expiresAt?: string;
}>;

export type CreateApiKey = Command<'CreateApiKey', ApiKeyTerms & { now: string }>;
export type RevokeApiKey = Command<'RevokeApiKey', { reason?: string; now: string }>;
/** The key replaced by another: it works on until `expiresAt` (never later than it would have). */
export type RollApiKey = Command<'RollApiKey', { replacedBy: string; expiresAt: string; now: string }>;
export type ApiKeyCommand = CreateApiKey | RevokeApiKey | RollApiKey;

export type ApiKeyCreated = Event<'ApiKeyCreated', ApiKeyTerms & { createdAt: string }>;
export type ApiKeyRevoked = Event<'ApiKeyRevoked', { keyId: string; reason?: string; revokedAt: string }>;
export type ApiKeyRolled = Event<'ApiKeyRolled', { keyId: string; replacedBy: string; expiresAt: string; rolledAt: string }>;
export type ApiKeyEvent = ApiKeyCreated | ApiKeyRevoked | ApiKeyRolled;

export type ApiKeyState =
  | Readonly<{ status: 'NONE' }>
  | Readonly<ApiKeyTerms & { status: 'ACTIVE'; createdAt: string; replacedBy?: string }>
  | Readonly<ApiKeyTerms & { status: 'REVOKED'; createdAt: string; replacedBy?: string; revokedAt: string }>;
