import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accessChanges } from '../../src/application/auth/index.js';
import { createRegistration } from '../../src/application/auth/registration.js';
import { createSessions } from '../../src/application/auth/sessions.js';
import { createTokenService } from '../../src/application/auth/tokens.js';
import { createPasswordHasher } from '../../src/application/auth/passwords.js';
import { createUserCommands } from '../../src/application/user/commands.js';
import { type Origin } from '../../src/application/shared/origin.js';
import { MANAGER_ROSTER_STREAM, managerRosterDecider, rosterMembers } from '../../src/domain/user/managerRoster.js';
import { AuthenticationError, ConflictError, ForbiddenError, type Actor } from '../../src/domain/shared/index.js';
import { isActiveManager } from '../../src/domain/user/index.js';
import {
  appendDecided,
  createPostgresEventStore,
  ExpectedRevisionMismatchError,
  foldStream,
  type PostgresEventStore,
} from '../../src/eventstore/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const NOW = new Date('2026-04-01T10:00:00Z');
const LATER = new Date('2026-04-01T10:10:00Z');
let now = NOW;
const clock = { now: () => now };
const FAST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };
const fastHasher = createPasswordHasher({ params: FAST_SCRYPT, maxConcurrent: 2, maxQueued: 100 });
const cli: Origin = { actor: { id: 'system:cli' }, source: 'cli', correlationId: 'corr-cli' };

let database: TestDatabase;
let store: PostgresEventStore;
let users: ReturnType<typeof createUserCommands>;
let register: ReturnType<typeof createRegistration>;
let sessions: ReturnType<typeof createSessions>;

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 20 });
  store = createPostgresEventStore({ pool: database.pool });
  users = createUserCommands({ db: database.db, store, clock, wall: clock, accessChanged: accessChanges(database.db) });
  register = createRegistration({ db: database.db, store, clock, users, scrypt: FAST_SCRYPT });
  const tokens = createTokenService({ secret: 'x'.repeat(40), accessTokenTtlSeconds: 900, now: () => NOW });
  sessions = createSessions({ db: database.db, tokens, users, clock, hasher: fastHasher, refreshTokenTtlSeconds: 3600 });
});
beforeEach(() => {
  now = NOW;
});
afterAll(async () => {
  await store.close();
  await database.close();
});

const contextOfTest = { correlationId: 'corr-test', source: 'test', occurredAt: NOW };
const as = (actor: Actor): Origin => ({ actor, source: 'api', correlationId: `corr-${actor.id}` });
/** Who the roster counts, and who the user streams say is an active MANAGER, among everyone registered here. */
const roster = async () => rosterMembers((await foldStream(store, MANAGER_ROSTER_STREAM, managerRosterDecider)).state);
const activeManagers = async () => {
  const ids = (await database.db.selectFrom('auth.credentials').select('user_id').execute()).map((r) => r.user_id);
  const states = await Promise.all(ids.map(async (id) => [id, isActiveManager(await users.currentUser(id))] as const));
  return states.filter(([, manager]) => manager).map(([id]) => id).sort();
};
const newUser = (email: string, role: Actor['role'] = 'USER') =>
  register({ email, password: 'pw-123456', displayName: email.split('@')[0]!, role }, cli);

describe('registration', () => {
  it('gives an address to exactly one of two racing registrations', async () => {
    const outcomes = await Promise.allSettled([newUser('race@example.com'), newUser('RACE@example.com ')]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const failure = (outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason as ConflictError;
    expect(failure).toBeInstanceOf(ConflictError);
    expect(failure.reason).toBe('user.email_taken');
    const rows = await database.db.selectFrom('auth.credentials').selectAll().where('email', '=', 'race@example.com').execute();
    expect(rows).toHaveLength(1);
  });

  it('keeps credentials out of events', async () => {
    const { userId } = await newUser('secret@example.com');
    const events = await store.readStream(`user-${userId}`);
    expect(JSON.stringify(events.map((e) => e.data))).not.toMatch(/scrypt|pw-123456/);
  });
});

describe('sessions', () => {
  it('log in, refresh with rotation, and revoke the family when a spent token comes back', async () => {
    await newUser('rotate@example.com');
    const first = await sessions.login('Rotate@Example.com', 'pw-123456');
    const second = await sessions.refresh(first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    await expect(sessions.refresh(first.refreshToken)).rejects.toMatchObject({ reason: 'auth.refresh_token_reused' });
    await expect(sessions.refresh(second.refreshToken)).rejects.toMatchObject({ reason: 'auth.refresh_token_revoked' });
  });

  it('refuse a wrong password and an unknown address alike', async () => {
    await newUser('pw@example.com');
    for (const [email, password] of [['pw@example.com', 'wrong'], ['nobody@example.com', 'pw-123456']] as const) {
      const error = await sessions.login(email, password).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).reason).toBe('auth.invalid_credentials');
    }
  });

  it('all end when the user is deactivated: every family revoked, none of anyone else\'s', async () => {
    const { userId } = await newUser('revoked@example.com');
    const other = await newUser('bystander@example.com');
    const login = () => sessions.login('revoked@example.com', 'pw-123456');
    const families = [await login(), await sessions.refresh((await login()).refreshToken)];
    await sessions.logout((await login()).refreshToken);
    const bystander = await sessions.login('bystander@example.com', 'pw-123456');
    const revokedAt = async (id: string) =>
      (await database.db.selectFrom('auth.refresh_tokens').select('revoked_at').where('user_id', '=', id).execute()).map(
        (row) => row.revoked_at?.toISOString() ?? null,
      );
    expect((await revokedAt(userId)).sort()).toEqual([NOW.toISOString(), null, null, null]);

    now = LATER;
    await users.deactivate(userId, undefined, { id: 'usr_boss', role: 'MANAGER' }, cli);
    // The family ended by the logout keeps the time it ended.
    expect((await revokedAt(userId)).sort()).toEqual([NOW.toISOString(), LATER.toISOString(), LATER.toISOString(), LATER.toISOString()]);
    expect(await revokedAt(other.userId)).toEqual([null]);

    await users.reactivate(userId, { id: 'usr_boss', role: 'MANAGER' }, cli);
    for (const session of families) {
      await expect(sessions.refresh(session.refreshToken)).rejects.toMatchObject({ reason: 'auth.refresh_token_revoked' });
    }
    expect((await sessions.refresh(bystander.refreshToken)).user.userId).toBe(other.userId);
    expect((await login()).user.userId).toBe(userId);
  });

  it('end with logout, and refuse a deactivated user', async () => {
    const { userId } = await newUser('leaving@example.com');
    const session = await sessions.login('leaving@example.com', 'pw-123456');
    await sessions.logout(session.refreshToken);
    await expect(sessions.refresh(session.refreshToken)).rejects.toMatchObject({ reason: 'auth.refresh_token_revoked' });
    const again = await sessions.login('leaving@example.com', 'pw-123456');
    await users.deactivate(userId, 'left', { id: 'usr_boss', role: 'MANAGER' }, cli);
    await expect(sessions.refresh(again.refreshToken)).rejects.toMatchObject({ reason: 'auth.refresh_token_revoked' });
    // A deactivated login answers as a wrong password would.
    await expect(sessions.login('leaving@example.com', 'pw-123456')).rejects.toMatchObject({ reason: 'auth.invalid_credentials' });
  });
});

describe('password hashes', () => {
  it('are brought to the current cost at the next successful login, so every stored hash takes as long to check as the decoy', async () => {
    await newUser('old-cost@example.com');
    const stored = () =>
      database.db.selectFrom('auth.credentials').select('password_hash').where('email', '=', 'old-cost@example.com').executeTakeFirstOrThrow();
    expect((await stored()).password_hash).toMatch(/^scrypt\$1024\$/);
    const tokens = createTokenService({ secret: 'x'.repeat(40), accessTokenTtlSeconds: 900, now: () => NOW });
    const costlier = createPasswordHasher({ params: { ...FAST_SCRYPT, N: 2 ** 11 }, maxConcurrent: 2, maxQueued: 100 });
    const upgraded = createSessions({ db: database.db, tokens, users, clock, hasher: costlier, refreshTokenTtlSeconds: 3600 });
    await expect(upgraded.login('old-cost@example.com', 'wrong-password')).rejects.toBeInstanceOf(AuthenticationError);
    expect((await stored()).password_hash).toMatch(/^scrypt\$1024\$/);
    await upgraded.login('old-cost@example.com', 'pw-123456');
    expect((await stored()).password_hash).toMatch(/^scrypt\$2048\$/);
    await upgraded.login('old-cost@example.com', 'pw-123456');
  });
});

describe('managers', () => {
  it('keep the last active MANAGER, even when two are demoted at once', async () => {
    const a = await newUser('mgr-a@example.com', 'MANAGER');
    const b = await newUser('mgr-b@example.com', 'MANAGER');
    const actorA: Actor = { id: a.userId, role: 'MANAGER' };
    const actorB: Actor = { id: b.userId, role: 'MANAGER' };
    const outcomes = await Promise.allSettled([
      users.changeRole(a.userId, 'ADMIN', actorB, as(actorB)),
      users.changeRole(b.userId, 'ADMIN', actorA, as(actorA)),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason as ConflictError).reason).toBe(
      'user.last_manager',
    );
    const survivors = [await users.currentUser(a.userId), await users.currentUser(b.userId)].filter(
      (u) => u.status === 'active' && u.role === 'MANAGER',
    );
    expect(survivors).toHaveLength(1);
    const last = survivors[0]!;
    if (last.status === 'unregistered') throw new Error('unreachable');
    await expect(users.deactivate(last.userId, undefined, actorA, as(actorA))).rejects.toMatchObject({ reason: 'user.last_manager' });
    expect(await users.currentUser(last.userId)).toMatchObject({ status: 'active', role: 'MANAGER' });
  });

  it('refuse a stale If-Match before the roster or the user is touched', async () => {
    const a = await newUser('mgr-d@example.com', 'MANAGER');
    const b = await newUser('mgr-e@example.com', 'MANAGER');
    const actorB: Actor = { id: b.userId, role: 'MANAGER' };
    const before = (await store.readStream(MANAGER_ROSTER_STREAM)).length;
    const stale = await users.changeRole(a.userId, 'ADMIN', actorB, as(actorB), 7n).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ExpectedRevisionMismatchError);
    expect(stale).toMatchObject({ reason: 'stream.precondition_failed', details: { currentRevision: '0' } });
    expect(await store.readStream(MANAGER_ROSTER_STREAM)).toHaveLength(before);
    expect(await users.currentUser(a.userId)).toMatchObject({ role: 'MANAGER' });
    expect(await roster()).toContain(a.userId);
  });

  it('apply one of several changes racing with the same If-Match, refuse the rest, and keep the roster true', async () => {
    const m = await newUser('mgr-f@example.com', 'MANAGER');
    const boss: Actor = { id: (await newUser('mgr-g@example.com', 'MANAGER')).userId, role: 'MANAGER' };
    for (let round = 0; round < 8; round++) {
      const seen = (await store.readStream(`user-${m.userId}`)).length - 1;
      const outcomes = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          i % 2 === 0
            ? users.changeRole(m.userId, 'ADMIN', boss, as(boss), BigInt(seen))
            : users.deactivate(m.userId, undefined, boss, as(boss), BigInt(seen)),
        ),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ExpectedRevisionMismatchError);
      expect(await roster()).toEqual(await activeManagers());
      await users.reactivate(m.userId, boss, as(boss));
      await users.changeRole(m.userId, 'MANAGER', boss, as(boss));
      expect(await roster()).toEqual(await activeManagers());
    }
  });

  it('count a MANAGER again when a retried command finds its join written but never reported', async () => {
    const m = await newUser('mgr-h@example.com', 'MANAGER');
    const boss: Actor = { id: (await newUser('mgr-i@example.com', 'MANAGER')).userId, role: 'MANAGER' };
    await users.deactivate(m.userId, undefined, boss, as(boss));
    // The reactivation is written, then the process stops before it syncs the roster.
    const reactivated = { type: 'UserReactivated', data: { userId: m.userId, reactivatedAt: NOW.toISOString() } };
    await appendDecided(store, `user-${m.userId}`, [reactivated], 1n, { ...contextOfTest, actor: boss });
    expect(await roster()).not.toContain(m.userId);
    expect(await activeManagers()).toContain(m.userId);
    const retry = await users.reactivate(m.userId, boss, as(boss));
    expect(retry.newEvents).toEqual([]);
    expect(await roster()).toEqual(await activeManagers());
  });

  it('stay on the roster when a forbidden actor tries to remove one', async () => {
    const m = await newUser('mgr-c@example.com', 'MANAGER');
    const admin: Actor = { id: 'usr_adm', role: 'ADMIN' };
    const before = (await store.readStream(MANAGER_ROSTER_STREAM)).length;
    await expect(users.deactivate(m.userId, undefined, admin, as(admin))).rejects.toBeInstanceOf(ForbiddenError);
    expect(await store.readStream(MANAGER_ROSTER_STREAM)).toHaveLength(before);
  });
});

describe('two processes on one store', () => {
  /** Each process remembers the states it wrote; the other's writes are news to it. */
  const elsewhere = () => createUserCommands({ db: database.db, store, clock, wall: clock, accessChanged: accessChanges(database.db) });
  const boss: Actor = { id: 'usr_boss', role: 'MANAGER' };
  const admin: Actor = { id: 'usr_admin', role: 'ADMIN' };

  it('do not answer "nothing to do" from a state the other process has moved on from', async () => {
    const { userId } = await newUser('two-processes-noop@example.com');
    const [here, there] = [users, elsewhere()];
    await here.deactivate(userId, undefined, boss, as(boss));
    await there.reactivate(userId, boss, as(boss));
    const again = await here.deactivate(userId, undefined, boss, as(boss));
    expect(again.newEvents.map((e) => e.type)).toEqual(['UserDeactivated']);
    expect((await store.readStream(`user-${userId}`)).map((e) => e.type)).toEqual([
      'UserRegistered',
      'UserDeactivated',
      'UserReactivated',
      'UserDeactivated',
    ]);
  });

  it('do not refuse, or allow, on a remembered state: a role or If-Match the other process changed is read again', async () => {
    const { userId } = await newUser('two-processes-role@example.com');
    const [here, there] = [users, elsewhere()];
    await here.changeRole(userId, 'ADMIN', boss, as(boss));
    await there.changeRole(userId, 'MANAGER', boss, as(boss));
    // This process remembers an ADMIN, whom an ADMIN may deactivate; the stream says MANAGER.
    await expect(here.deactivate(userId, undefined, admin, as(admin))).rejects.toBeInstanceOf(ForbiddenError);

    const other = (await newUser('two-processes-if-match@example.com')).userId;
    await here.changeRole(other, 'ADMIN', boss, as(boss));
    await there.changeRole(other, 'USER', boss, as(boss));
    // This process remembers revision 1; the caller saw revision 2, which is the stream's.
    const promoted = await here.changeRole(other, 'ADMIN', boss, as(boss), 2n);
    expect(promoted.nextExpectedRevision).toBe(3n);
  });
});
