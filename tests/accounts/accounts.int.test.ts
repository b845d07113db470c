import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRegistration,
  createSessions,
  createTokenService,
  createUserCommands,
  type Origin,
} from '../../src/accounts/index.js';
import { MANAGER_ROSTER_STREAM, managerRosterDecider, type ManagerRosterEvent } from '../../src/domain/managerRoster/index.js';
import { AuthenticationError, ConflictError, ForbiddenError, type Actor } from '../../src/domain/shared/index.js';
import { createPostgresEventStore, type PostgresEventStore } from '../../src/eventstore/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const NOW = new Date('2026-04-01T10:00:00Z');
const clock = { now: () => NOW };
const FAST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };
const cli: Origin = { actor: { id: 'system:cli' }, source: 'cli', correlationId: 'corr-cli' };

let database: TestDatabase;
let store: PostgresEventStore;
let users: ReturnType<typeof createUserCommands>;
let register: ReturnType<typeof createRegistration>;
let sessions: ReturnType<typeof createSessions>;

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 20 });
  store = createPostgresEventStore({ pool: database.pool });
  users = createUserCommands({ db: database.db, store, clock });
  register = createRegistration({ db: database.db, store, clock, users, scrypt: FAST_SCRYPT });
  const tokens = createTokenService({ secret: 'x'.repeat(40), accessTokenTtlSeconds: 900, now: () => NOW });
  sessions = createSessions({ db: database.db, tokens, users, clock, refreshTokenTtlSeconds: 3600 });
});
afterAll(async () => {
  await store.close();
  await database.close();
});

const as = (actor: Actor): Origin => ({ actor, source: 'api', correlationId: `corr-${actor.id}` });
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
    await expect(sessions.refresh(second.refreshToken)).rejects.toMatchObject({ reason: 'auth.refresh_token_reused' });
  });

  it('refuse a wrong password and an unknown address alike', async () => {
    await newUser('pw@example.com');
    for (const [email, password] of [['pw@example.com', 'wrong'], ['nobody@example.com', 'pw-123456']] as const) {
      const error = await sessions.login(email, password).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).reason).toBe('auth.invalid_credentials');
    }
  });

  it('end with logout, and refuse a deactivated user', async () => {
    const { userId } = await newUser('leaving@example.com');
    const session = await sessions.login('leaving@example.com', 'pw-123456');
    await sessions.logout(session.refreshToken);
    await expect(sessions.refresh(session.refreshToken)).rejects.toMatchObject({ reason: 'auth.refresh_token_reused' });
    const again = await sessions.login('leaving@example.com', 'pw-123456');
    await users.deactivate(userId, 'left', { id: 'usr_boss', role: 'MANAGER' }, cli);
    await expect(sessions.refresh(again.refreshToken)).rejects.toMatchObject({ reason: 'auth.user_inactive' });
    await expect(sessions.login('leaving@example.com', 'pw-123456')).rejects.toMatchObject({ reason: 'auth.user_inactive' });
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

  it('put a manager back on the roster when the demotion itself fails', async () => {
    const a = await newUser('mgr-d@example.com', 'MANAGER');
    const b = await newUser('mgr-e@example.com', 'MANAGER');
    const actorB: Actor = { id: b.userId, role: 'MANAGER' };
    // A stale If-Match fails the user command after the roster let A go.
    await expect(users.changeRole(a.userId, 'ADMIN', actorB, as(actorB), 7n)).rejects.toMatchObject({ reason: 'stream.precondition_failed' });
    expect(await users.currentUser(a.userId)).toMatchObject({ role: 'MANAGER' });
    const roster = (await store.readStream(MANAGER_ROSTER_STREAM)).reduce(
      (state, e) => managerRosterDecider.evolve(state, { type: e.type, data: e.data } as ManagerRosterEvent),
      managerRosterDecider.initialState(),
    );
    expect(roster.status === 'staffed' && roster.managers.includes(a.userId)).toBe(true);
  });

  it('stay on the roster when a forbidden actor tries to remove one', async () => {
    const m = await newUser('mgr-c@example.com', 'MANAGER');
    const admin: Actor = { id: 'usr_adm', role: 'ADMIN' };
    const before = (await store.readStream(MANAGER_ROSTER_STREAM)).length;
    await expect(users.deactivate(m.userId, undefined, admin, as(admin))).rejects.toBeInstanceOf(ForbiddenError);
    expect(await store.readStream(MANAGER_ROSTER_STREAM)).toHaveLength(before);
  });
});
