import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANAGER_ROSTER_STREAM, managerRosterDecider, rosterMembers } from '../../src/domain/user/managerRoster.js';
import type { Actor, Role } from '../../src/domain/shared/index.js';
import { isActiveManager } from '../../src/domain/user/index.js';
import { foldStream } from '../../src/eventstore/index.js';
import type { System } from '../../src/root/system.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { http, startTestSystem } from './support.js';

/**
 * The patterns, raced over HTTP: after every round the roster must be
 * exactly the users whose own stream says "active MANAGER", and not empty.
 */
const ROUNDS = 16;
const CONCURRENCY = 20;
/** Five managers each deactivating all five is 25 requests a round; fewer rounds keep the file near 20 s. */
const ROUNDS_OF_FIVE = 10;

let database: TestDatabase;
let system: System;
let api: ReturnType<typeof http>;
/** Everyone registered here: the roster is compared with their streams. */
const everyone: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 20 });
  system = await startTestSystem(database, { AUTH_RATE_LIMIT_PER_MINUTE: '100000', API_RATE_LIMIT_PER_MINUTE: '1000000' });
  api = http(system);
});
afterAll(async () => {
  await system?.stop();
  await database?.close();
});

let registered = 0;
const manager = async (role: Role = 'MANAGER') => {
  const user = await api.userWithRole(role, `roster-${registered++}@example.com`);
  everyone.push(user.userId);
  return user;
};

const roster = async () => rosterMembers((await foldStream(system.store, MANAGER_ROSTER_STREAM, managerRosterDecider)).state);

const activeManagers = async () => {
  const states = await Promise.all(everyone.map(async (id) => [id, await system.accounts.users.currentUser(id)] as const));
  return states.filter(([, state]) => isActiveManager(state)).map(([id]) => id).sort();
};

const expectRosterTrue = async (round: number) => {
  const active = await activeManagers();
  expect(await roster(), `round ${round}: roster vs user streams`).toEqual(active);
  expect(active.length, `round ${round}: active MANAGERs`).toBeGreaterThan(0);
};

const byActor = (actor: Actor, token: string) => ({ actor, token });
type Caller = ReturnType<typeof byActor>;

const deactivate = (caller: Caller, userId: string) => api.call('DELETE', `/v1/users/${userId}`, { token: caller.token });
const reactivate = (caller: Caller, userId: string) => api.call('PATCH', `/v1/users/${userId}/reactivate`, { token: caller.token });
const changeRole = (caller: Caller, userId: string, role: Role) =>
  api.call('PATCH', `/v1/users/${userId}/role`, { token: caller.token, body: { role } });

/** Every answer is one a client can act on: done, or refused with a reason; never a 5xx. */
const expectAnswered = (responses: { status: number; body: { error?: { reason?: string } } }[], allowed: number[]) => {
  for (const res of responses) expect(allowed, JSON.stringify(res.body)).toContain(res.status);
};

describe('the manager roster under concurrent requests', () => {
  it('follows a MANAGER deactivated and reactivated by 20 concurrent requests', async () => {
    const boss = await manager();
    const target = await manager();
    const caller = byActor({ id: boss.userId, role: 'MANAGER' }, boss.token);
    for (let round = 0; round < ROUNDS; round++) {
      const responses = await Promise.all(
        Array.from({ length: CONCURRENCY }, (_, i) => (i % 2 === 0 ? deactivate(caller, target.userId) : reactivate(caller, target.userId))),
      );
      expectAnswered(responses, [200]);
      await expectRosterTrue(round);
      expectAnswered([await reactivate(caller, target.userId)], [200]);
    }
    await expectRosterTrue(ROUNDS);
  });

  it('follows a user promoted to MANAGER and demoted to ADMIN by 20 concurrent requests', async () => {
    const boss = await manager();
    const target = await manager();
    const caller = byActor({ id: boss.userId, role: 'MANAGER' }, boss.token);
    for (let round = 0; round < ROUNDS; round++) {
      const responses = await Promise.all(
        Array.from({ length: CONCURRENCY }, (_, i) => changeRole(caller, target.userId, i % 2 === 0 ? 'MANAGER' : 'ADMIN')),
      );
      expectAnswered(responses, [200]);
      await expectRosterTrue(round);
    }
  });

  it('follows a user whose role and activity are changed by 20 concurrent requests of every kind', async () => {
    const boss = await manager();
    const target = await manager('ADMIN');
    const caller = byActor({ id: boss.userId, role: 'MANAGER' }, boss.token);
    const requests = [
      () => changeRole(caller, target.userId, 'MANAGER'),
      () => deactivate(caller, target.userId),
      () => changeRole(caller, target.userId, 'ADMIN'),
      () => reactivate(caller, target.userId),
    ];
    for (let round = 0; round < ROUNDS; round++) {
      const responses = await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => requests[i % requests.length]!()));
      // 409: a role change reached the user while it was deactivated.
      expectAnswered(responses, [200, 409]);
      for (const res of responses.filter((r) => r.status === 409)) expect(res.body.error.reason).toBe('user.inactive');
      await expectRosterTrue(round);
      expectAnswered([await reactivate(caller, target.userId)], [200]);
    }
  });

  it('keeps one MANAGER when five managers deactivate each other and themselves at once', async () => {
    const group = await Promise.all(Array.from({ length: 5 }, () => manager()));
    const callers = new Map(group.map((m) => [m.userId, byActor({ id: m.userId, role: 'MANAGER' }, m.token)]));
    // Only this group may be managers here, so the last of them is the last of all.
    for (const id of await roster()) {
      if (!callers.has(id)) expectAnswered([await deactivate(callers.get(group[0]!.userId)!, id)], [200]);
    }
    await expectRosterTrue(-1);
    let lastManagerRefusals = 0;
    for (let round = 0; round < ROUNDS_OF_FIVE; round++) {
      const responses = await Promise.all(
        group.flatMap((actor) => group.map((victim) => deactivate(callers.get(actor.userId)!, victim.userId))),
      );
      // 401: the caller was deactivated before its request was let in; 409: the last MANAGER.
      expectAnswered(responses, [200, 401, 409]);
      for (const res of responses.filter((r) => r.status === 409)) expect(res.body.error.reason).toBe('user.last_manager');
      lastManagerRefusals += responses.filter((r) => r.status === 409).length;
      await expectRosterTrue(round);
      const survivor = callers.get((await activeManagers())[0]!)!;
      expectAnswered(await Promise.all(group.map((m) => reactivate(survivor, m.userId))), [200]);
      await expectRosterTrue(round);
    }
    expect(lastManagerRefusals).toBeGreaterThan(0);
  });
});
