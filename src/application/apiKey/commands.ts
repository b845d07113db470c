import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Logger } from 'winston';
import type { Clock } from '../../clock/index.js';
import type { Database } from '../../db/index.js';
import {
  apiKeyDecider,
  apiKeyStreamName,
  apiKeyUsable,
  rollableUntil,
  SCOPE_RESOURCES,
  type ApiKeyCommand,
  type ApiKeyEvent,
  type ApiKeyMode,
  type ApiKeyState,
  type Scope,
} from '../../domain/apiKey/index.js';
import { AuthenticationError, ConflictError, displayText, ForbiddenError, NotFoundError, safeText, SYSTEM_ACTORS, userOf, type Actor } from '../../domain/shared/index.js';
import type { EventStore } from '../../eventstore/index.js';
import { commandPath, instant, newId, type Aggregate, type Ask } from '../shared/index.js';
import { forgetSecret, markUsed, newSecret, parseApiKey, secretMatches, storeSecret, tokenOf } from './secrets.js';

const SCOPES = SCOPE_RESOURCES.flatMap((r) => [`${r}:read`, `${r}:write`]) as Scope[];

export const scopeInput = safeText.refine((s): s is Scope => (SCOPES as string[]).includes(s), {
  message: `one of resource:read or resource:write, the resources being ${SCOPE_RESOURCES.join(', ')}`,
});

export const apiKeyInput = z
  .object({
    name: displayText(100),
    scopes: z
      .array(scopeInput)
      .min(1)
      .max(SCOPES.length)
      .refine((s) => new Set(s).size === s.length, 'each scope once'),
    expiresAt: instant.optional(),
  })
  .strict();

export const rollInput = z
  .object({
    /** When the old key stops working: now unless said. */
    expiresAt: instant.optional(),
    /** The new key's own expiry, if any. */
    newKeyExpiresAt: instant.optional(),
  })
  .strict();

export type ExistingApiKey = Exclude<ApiKeyState, { status: 'NONE' }>;
export const apiKeyExists = (s: ApiKeyState): s is ExistingApiKey => s.status !== 'NONE';
export const apiKeys: Aggregate<ApiKeyState, ApiKeyCommand, ApiKeyEvent> = { decider: apiKeyDecider, streamOf: apiKeyStreamName };

/** Who a key is, once its secret checked out: what authentication makes an actor of. */
export type VerifiedKey = Readonly<{ keyId: string; ownerUserId: string; scopes: readonly Scope[] }>;

/** A key may be managed by its maker, by a MANAGER, or by the operator's command line. */
const mayManage = (actor: Actor, key: ExistingApiKey): boolean =>
  actor.role === 'MANAGER' || actor.id === SYSTEM_ACTORS.cli.id || userOf(actor) === key.ownerUserId;

/** How often one process writes a key's last use, at most. */
const LAST_USED_EVERY_MS = 60_000;

export type ApiKeyDeps = Readonly<{
  db: Kysely<Database>;
  store: EventStore;
  /** Keys are credentials: their instants are the wall's, whatever clock the domain runs on. */
  wall: Clock;
  /** `test` on a simulated clock, `live` otherwise: the keys this system makes, and the only ones it takes. */
  mode: ApiKeyMode;
  logger: Logger;
}>;

/**
 * API keys: made by an ADMIN or a MANAGER, shown whole once, kept as the
 * hash of their secret (auth.api_key_secrets) beside a stream of their own
 * (`api_key-key_…`) that holds everything else and is audited like any other.
 */
export const createApiKeyCommands = (deps: ApiKeyDeps) => {
  const path = commandPath(deps.store, deps.wall, apiKeys);
  const now = () => deps.wall.now().toISOString();
  const lastWritten = new Map<string, number>();

  const existing = async (keyId: string): Promise<{ state: ExistingApiKey; revision: bigint }> => {
    const { state, revision } = await path.current(keyId);
    if (!apiKeyExists(state) || revision === undefined) throw new NotFoundError('api_key.not_found', 'the API key does not exist');
    return { state, revision };
  };
  const managed = async (keyId: string, actor: Actor) => {
    const found = await existing(keyId);
    if (!mayManage(actor, found.state)) throw new ForbiddenError('api_key.not_yours', 'an ADMIN manages only the keys it made; a MANAGER manages any');
    return found;
  };

  /** A new key's stream, after its secret's hash: a failed append takes the hash back, so no secret outlives its key. */
  const make = async (terms: Readonly<{ name: string; scopes: readonly Scope[]; ownerUserId: string; expiresAt?: string }>, ask: Ask) => {
    const keyId = newId('key');
    const secret = newSecret();
    await storeSecret(deps.db, keyId, secret);
    try {
      const made = await path.run(keyId, { type: 'CreateApiKey', data: { keyId, mode: deps.mode, ...terms, now: now() } }, ask, true);
      return { ...made, keyId, token: tokenOf(deps.mode, keyId, secret) };
    } catch (err) {
      await forgetSecret(deps.db, keyId);
      throw err;
    }
  };

  return {
    current: path.current,
    /** A key of `ownerUserId` (the caller unless the operator names another), acting for them. */
    create: (input: z.output<typeof apiKeyInput>, ask: Ask, ownerUserId = ask.actor.id) =>
      make({ name: input.name, scopes: input.scopes, ownerUserId, ...(input.expiresAt !== undefined && { expiresAt: input.expiresAt }) }, ask),

    revoke: async (keyId: string, reason: string | undefined, ask: Ask) => {
      await managed(keyId, ask.actor);
      return path.run(keyId, { type: 'RevokeApiKey', data: { ...(reason !== undefined && { reason }), now: now() } }, ask);
    },

    /**
     * A new key with the old one's name, scopes and maker; the old one works
     * on until `expiresAt` (now unless said). Decided on the old key first, so
     * a key that cannot be rolled makes no new one; one rolled meanwhile by
     * another request leaves the new key revoked, not loose.
     */
    roll: async (keyId: string, input: z.output<typeof rollInput>, ask: Ask) => {
      const old = await managed(keyId, ask.actor);
      const at = now();
      rollableUntil(old.state, input.expiresAt ?? at, at);
      const { scopes, name, ownerUserId } = old.state;
      const made = await make({ name, scopes, ownerUserId, ...(input.newKeyExpiresAt !== undefined && { expiresAt: input.newKeyExpiresAt }) }, ask);
      try {
        await path.run(keyId, { type: 'RollApiKey', data: { replacedBy: made.keyId, expiresAt: input.expiresAt ?? at, now: at } }, { ...ask, ifMatch: old.revision });
      } catch (err) {
        await path.run(made.keyId, { type: 'RevokeApiKey', data: { reason: 'the roll it was made for failed', now: now() } }, ask);
        throw err instanceof ConflictError ? err : new ConflictError('api_key.roll_failed', `API key ${keyId} changed while it was rolled: try again`);
      }
      return made;
    },

    /**
     * The key a bearer token names, if its secret matches and it is neither
     * revoked nor expired; throws AuthenticationError otherwise. Its last use
     * is written at most once a minute.
     */
    verify: async (token: string): Promise<VerifiedKey> => {
      const parsed = parseApiKey(token);
      if (!parsed || !(await secretMatches(deps.db, parsed.keyId, parsed.secret))) throw new AuthenticationError('auth.invalid_api_key', 'the API key is not valid');
      if (parsed.mode !== deps.mode) throw new AuthenticationError('auth.api_key_mode', `this system takes ${deps.mode} keys (bsk_${deps.mode}_…)`);
      const { state } = await path.current(parsed.keyId);
      const at = deps.wall.now();
      if (!apiKeyExists(state)) throw new AuthenticationError('auth.invalid_api_key', 'the API key is not valid');
      if (!apiKeyUsable(state, at.toISOString())) {
        throw new AuthenticationError(state.status === 'REVOKED' ? 'auth.api_key_revoked' : 'auth.api_key_expired', `the API key was ${state.status === 'REVOKED' ? 'revoked' : 'expired'}`);
      }
      if (at.getTime() - (lastWritten.get(parsed.keyId) ?? 0) >= LAST_USED_EVERY_MS) {
        lastWritten.set(parsed.keyId, at.getTime());
        markUsed(deps.db, parsed.keyId, at).catch((err: Error) => deps.logger.warn('api key: last use not written', { keyId: parsed.keyId, err: err.message }));
      }
      return { keyId: state.keyId, ownerUserId: state.ownerUserId, scopes: state.scopes };
    },
  };
};

export type ApiKeyCommands = ReturnType<typeof createApiKeyCommands>;

/** A key as the API shows it: never its secret, nor its hash. */
export const presentApiKey = (s: ExistingApiKey, revision: bigint, lastUsedAt?: Date) => ({
  keyId: s.keyId,
  name: s.name,
  mode: s.mode,
  /** What the key starts with, to tell it apart: its secret stays with whoever was shown it. */
  prefix: `bsk_${s.mode}_${s.keyId.slice('key_'.length)}`,
  ownerUserId: s.ownerUserId,
  scopes: s.scopes,
  createdAt: s.createdAt,
  expiresAt: s.expiresAt ?? null,
  revokedAt: s.status === 'REVOKED' ? s.revokedAt : null,
  replacedBy: s.replacedBy ?? null,
  lastUsedAt: lastUsedAt?.toISOString() ?? null,
  revision: revision.toString(),
});
