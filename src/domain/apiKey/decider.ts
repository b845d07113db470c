import { compareInstants, ConflictError, NotFoundError, ValidationError, type Decider } from '../shared/index.js';
import type { ApiKeyCommand, ApiKeyEvent, ApiKeyState, ApiKeyTerms } from './types.js';

const notFound = () => new NotFoundError('api_key.not_found', 'the API key does not exist');

const sameTerms = (a: ApiKeyTerms, b: ApiKeyTerms) =>
  a.name === b.name &&
  a.mode === b.mode &&
  a.ownerUserId === b.ownerUserId &&
  a.expiresAt === b.expiresAt &&
  a.scopes.length === b.scopes.length &&
  a.scopes.every((s, i) => s === b.scopes[i]);

/** Whether a key in this state is refused at `now` (revoked, or past its expiry). */
export const apiKeyUsable = (state: ApiKeyState, now: string): boolean =>
  state.status === 'ACTIVE' && (state.expiresAt === undefined || compareInstants(state.expiresAt, now) > 0);

/**
 * When a key rolled at `now` to end at `expiresAt` would stop working (never
 * later than it would have), or why it cannot be rolled: asked before the new
 * key is made, and again as the roll is decided.
 */
export const rollableUntil = (state: ApiKeyState, expiresAt: string, now: string): string => {
  if (state.status === 'NONE') throw notFound();
  if (state.status === 'REVOKED') throw new ConflictError('api_key.revoked', `API key ${state.keyId} was revoked at ${state.revokedAt}`);
  if (state.replacedBy !== undefined) throw new ConflictError('api_key.already_rolled', `API key ${state.keyId} was already rolled to ${state.replacedBy}`);
  if (state.expiresAt !== undefined && compareInstants(state.expiresAt, now) <= 0) {
    throw new ConflictError('api_key.expired', `API key ${state.keyId} expired at ${state.expiresAt}`);
  }
  if (compareInstants(expiresAt, now) < 0) throw new ValidationError('api_key.invalid', 'the old key cannot expire in the past', { fields: [{ path: 'expiresAt', message: 'not in the past' }] });
  return state.expiresAt !== undefined && compareInstants(state.expiresAt, expiresAt) < 0 ? state.expiresAt : expiresAt;
};

export const decideApiKey = (command: ApiKeyCommand, state: ApiKeyState): ApiKeyEvent[] => {
  switch (command.type) {
    case 'CreateApiKey': {
      const { now, ...terms } = command.data;
      if (state.status !== 'NONE') {
        if (sameTerms(state, terms)) return [];
        throw new ConflictError('api_key.already_exists', `API key ${state.keyId} already exists`);
      }
      if (terms.scopes.length === 0) throw new ValidationError('api_key.invalid', 'a key needs at least one scope', { fields: [{ path: 'scopes', message: 'at least one' }] });
      if (terms.expiresAt !== undefined && compareInstants(terms.expiresAt, now) <= 0) {
        throw new ValidationError('api_key.invalid', 'expiresAt must be in the future', { fields: [{ path: 'expiresAt', message: 'in the future' }] });
      }
      return [{ type: 'ApiKeyCreated', data: { ...terms, createdAt: now } }];
    }
    case 'RevokeApiKey':
      if (state.status === 'NONE') throw notFound();
      if (state.status === 'REVOKED') return [];
      return [{ type: 'ApiKeyRevoked', data: { keyId: state.keyId, ...(command.data.reason !== undefined && { reason: command.data.reason }), revokedAt: command.data.now } }];
    case 'RollApiKey': {
      const { replacedBy, expiresAt, now } = command.data;
      if (state.status !== 'NONE' && state.replacedBy === replacedBy) return [];
      const until = rollableUntil(state, expiresAt, now);
      return [{ type: 'ApiKeyRolled', data: { keyId: (state as ApiKeyTerms).keyId, replacedBy, expiresAt: until, rolledAt: now } }];
    }
  }
  const _exhaustive: never = command;
  return _exhaustive;
};

export const evolveApiKey = (state: ApiKeyState, event: ApiKeyEvent): ApiKeyState => {
  switch (event.type) {
    case 'ApiKeyCreated': {
      const { createdAt, ...terms } = event.data;
      return { ...terms, status: 'ACTIVE', createdAt };
    }
    case 'ApiKeyRevoked':
      return state.status === 'ACTIVE' ? { ...state, status: 'REVOKED', revokedAt: event.data.revokedAt } : state;
    case 'ApiKeyRolled':
      return state.status === 'NONE' ? state : { ...state, replacedBy: event.data.replacedBy, expiresAt: event.data.expiresAt };
  }
};

export const apiKeyDecider: Decider<ApiKeyState, ApiKeyCommand, ApiKeyEvent> = {
  decide: decideApiKey,
  evolve: evolveApiKey,
  initialState: () => ({ status: 'NONE' }),
};
