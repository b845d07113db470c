import { type Clock } from '../../clock/index.js';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { AuthenticationError, type Role } from '../../domain/shared/index.js';
import { normalizeEmail } from '../../domain/user/index.js';
import type { Database } from '../../db/index.js';
import { createPasswordHasher, DEFAULT_SCRYPT, type PasswordHasher } from './passwords.js';
import type { AccessClaims, TokenService } from './tokens.js';
import type { UserCommands } from '../user/index.js';

export type SessionsDeps = Readonly<{
  db: Kysely<Database>;
  tokens: TokenService;
  users: UserCommands;
  /** The wall clock (Clocks.wall): sessions live in real time, whatever clock the domain runs on. */
  clock: Clock;
  refreshTokenTtlSeconds: number;
  hasher?: PasswordHasher;
}>;

export type Session = Readonly<{
  accessToken: string;
  accessClaims: AccessClaims;
  refreshToken: string;
  refreshExpiresAt: Date;
  user: Readonly<{ userId: string; role: Role }>;
}>;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

const invalidCredentials = () => new AuthenticationError('auth.invalid_credentials', 'email or password is wrong');

/**
 * Logins, and rotating refresh tokens stored as hashes. Each refresh spends its
 * token and issues the next one of the same family; presenting a spent token
 * again means it was stolen or replayed, and the whole family is revoked.
 */
export const createSessions = (deps: SessionsDeps) => {
  const hasher = deps.hasher ?? createPasswordHasher({ params: DEFAULT_SCRYPT, maxConcurrent: 1, maxQueued: 1_000 });
  let decoy: Promise<string> | undefined;

  const issue = async (db: Kysely<Database> | Transaction<Database>, user: Readonly<{ userId: string; role: Role; deactivations: number }>, familyId: string) => {
    const { userId, role } = user;
    const now = deps.clock.now();
    const refreshToken = randomBytes(32).toString('base64url');
    const refreshExpiresAt = new Date(now.getTime() + deps.refreshTokenTtlSeconds * 1000);
    await db
      .insertInto('auth.refresh_tokens')
      .values({
        token_hash: hashToken(refreshToken),
        family_id: familyId,
        user_id: userId,
        issued_at: now,
        expires_at: refreshExpiresAt,
        user_deactivations: user.deactivations,
      })
      .execute();
    const { token, claims } = await deps.tokens.signAccessToken({ userId, role });
    return { accessToken: token, accessClaims: claims, refreshToken, refreshExpiresAt, user: { userId, role } };
  };

  /** Best effort: the login has succeeded; a hash not upgraded now is upgraded at the next one. */
  const rehash = async (userId: string, password: string) => {
    const upgraded = await hasher.hash(password).catch(() => undefined);
    if (!upgraded) return;
    await deps.db
      .updateTable('auth.credentials')
      .set({ password_hash: upgraded, updated_at: deps.clock.now() })
      .where('user_id', '=', userId)
      .execute();
  };

  const revokeFamily = (db: Kysely<Database> | Transaction<Database>, familyId: string) =>
    db
      .updateTable('auth.refresh_tokens')
      .set({ revoked_at: deps.clock.now() })
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is', null)
      .execute();

  return {
    async login(email: string, password: string): Promise<Session> {
      const credentials = await deps.db
        .selectFrom('auth.credentials')
        .select(['user_id', 'password_hash'])
        .where('email', '=', normalizeEmail(email))
        .executeTakeFirst();
      // Unknown addresses cost a hash too, so timing does not tell which addresses exist.
      decoy ??= hasher.hash(randomUUID());
      decoy.catch(() => (decoy = undefined));
      const ok = await hasher.verify(password, credentials?.password_hash ?? (await decoy));
      if (!credentials || !ok) throw invalidCredentials();
      // The user's stream decides, not a read model that may lag. A deactivated
      // user gets the same answer as a wrong password, so the answer never
      // tells that the password was right.
      const user = await deps.users.currentUser(credentials.user_id);
      if (user.status !== 'active') throw invalidCredentials();
      // Every hash at the current cost, so that an unknown address (checked
      // against a decoy at the current cost) takes as long as a known one.
      if (hasher.isOutdated(credentials.password_hash)) await rehash(credentials.user_id, password);
      return issue(deps.db, user, randomUUID());
    },

    async refresh(refreshToken: string): Promise<Session> {
      const now = deps.clock.now();
      const outcome = await deps.db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('auth.refresh_tokens')
          .selectAll()
          .where('token_hash', '=', hashToken(refreshToken))
          .forUpdate()
          .executeTakeFirst();
        if (!row) return { error: new AuthenticationError('auth.invalid_refresh_token', 'the refresh token is not valid') };
        if (row.used_at !== null) {
          await revokeFamily(trx, row.family_id);
          return { error: new AuthenticationError('auth.refresh_token_reused', 'the refresh token was already used; its sessions are revoked') };
        }
        if (row.revoked_at !== null) return { error: new AuthenticationError('auth.refresh_token_revoked', 'the refresh token was revoked') };
        if (row.expires_at <= now) return { error: new AuthenticationError('auth.refresh_token_expired', 'the refresh token has expired') };
        await trx.updateTable('auth.refresh_tokens').set({ used_at: now }).where('token_hash', '=', row.token_hash).execute();
        return { row };
      });
      if ('error' in outcome) throw outcome.error;
      const { row } = outcome;
      const user = await deps.users.currentUser(row.user_id);
      // A deactivation ends every session begun before it, even once the user is back. Counted, not timed:
      // the session's instants are the wall clock's, the deactivation's the domain's.
      const endedByDeactivation = user.status !== 'unregistered' && user.deactivations > row.user_deactivations;
      if (user.status !== 'active' || endedByDeactivation) {
        await revokeFamily(deps.db, row.family_id);
        throw endedByDeactivation && user.status === 'active'
          ? new AuthenticationError('auth.refresh_token_revoked', 'the session was ended by a deactivation; log in again')
          : new AuthenticationError('auth.user_inactive', 'this user is deactivated');
      }
      return issue(deps.db, user, row.family_id);
    },

    async logout(refreshToken: string): Promise<void> {
      const row = await deps.db
        .selectFrom('auth.refresh_tokens')
        .select('family_id')
        .where('token_hash', '=', hashToken(refreshToken))
        .executeTakeFirst();
      if (row) await revokeFamily(deps.db, row.family_id);
    },
  };
};

export type Sessions = ReturnType<typeof createSessions>;
