import { describe, expect, it } from 'vitest';
import { apiKeyDecider, apiKeyUsable, type ApiKeyEvent, type ApiKeyState } from '../../src/domain/apiKey/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/domain/shared/index.js';
import { deciderSpec } from '../support/deciderSpec.js';

const spec = deciderSpec(apiKeyDecider);
const NOW = '2026-03-01T00:00:00.000Z';
const LATER = '2026-03-02T00:00:00.000Z';
const terms = { keyId: 'key_1', name: 'server', mode: 'live', ownerUserId: 'usr_1', scopes: ['customers:read'] } as const;
const created: ApiKeyEvent = { type: 'ApiKeyCreated', data: { ...terms, createdAt: NOW } };
const fold = (events: readonly ApiKeyEvent[]): ApiKeyState => events.reduce(apiKeyDecider.evolve, apiKeyDecider.initialState());

describe('API key', () => {
  it('is created once, with at least one scope and an expiry, if any, in the future', () => {
    spec.given([]).when({ type: 'CreateApiKey', data: { ...terms, now: NOW } }).then([created]);
    spec.given([created]).when({ type: 'CreateApiKey', data: { ...terms, now: LATER } }).then([]);
    spec.given([created]).when({ type: 'CreateApiKey', data: { ...terms, name: 'other', now: NOW } }).then({ error: ConflictError, reason: 'api_key.already_exists' });
    spec.given([]).when({ type: 'CreateApiKey', data: { ...terms, scopes: [], now: NOW } }).then({ error: ValidationError, reason: 'api_key.invalid' });
    spec.given([]).when({ type: 'CreateApiKey', data: { ...terms, expiresAt: NOW, now: NOW } }).then({ error: ValidationError, reason: 'api_key.invalid' });
  });

  it('is revoked once, and is unusable from then on', () => {
    const revoked: ApiKeyEvent = { type: 'ApiKeyRevoked', data: { keyId: 'key_1', reason: 'leaked', revokedAt: LATER } };
    spec.given([created]).when({ type: 'RevokeApiKey', data: { reason: 'leaked', now: LATER } }).then([revoked]);
    spec.given([created, revoked]).when({ type: 'RevokeApiKey', data: { now: LATER } }).then([]);
    spec.given([]).when({ type: 'RevokeApiKey', data: { now: NOW } }).then({ error: NotFoundError, reason: 'api_key.not_found' });
    expect(apiKeyUsable(fold([created]), LATER)).toBe(true);
    expect(apiKeyUsable(fold([created, revoked]), LATER)).toBe(false);
  });

  it('rolls once to another key, never lengthening its life, and works until the end of the overlap only', () => {
    const expiring: ApiKeyEvent = { type: 'ApiKeyCreated', data: { ...terms, expiresAt: LATER, createdAt: NOW } };
    const rolled: ApiKeyEvent = { type: 'ApiKeyRolled', data: { keyId: 'key_1', replacedBy: 'key_2', expiresAt: LATER, rolledAt: NOW } };
    spec.given([created]).when({ type: 'RollApiKey', data: { replacedBy: 'key_2', expiresAt: LATER, now: NOW } }).then([rolled]);
    // Asked to work on past its own expiry: it ends when it would have.
    spec.given([expiring]).when({ type: 'RollApiKey', data: { replacedBy: 'key_2', expiresAt: '2026-04-01T00:00:00.000Z', now: NOW } }).then([rolled]);
    spec.given([created, rolled]).when({ type: 'RollApiKey', data: { replacedBy: 'key_2', expiresAt: LATER, now: NOW } }).then([]);
    spec.given([created, rolled]).when({ type: 'RollApiKey', data: { replacedBy: 'key_3', expiresAt: LATER, now: NOW } }).then({ error: ConflictError, reason: 'api_key.already_rolled' });
    spec.given([expiring]).when({ type: 'RollApiKey', data: { replacedBy: 'key_2', expiresAt: LATER, now: LATER } }).then({ error: ConflictError, reason: 'api_key.expired' });
    spec.given([created]).when({ type: 'RollApiKey', data: { replacedBy: 'key_2', expiresAt: NOW, now: LATER } }).then({ error: ValidationError, reason: 'api_key.invalid' });
    expect(apiKeyUsable(fold([created, rolled]), NOW)).toBe(true);
    expect(apiKeyUsable(fold([created, rolled]), LATER)).toBe(false);
  });
});
