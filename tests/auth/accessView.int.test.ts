import { afterAll, beforeAll, expect, it } from 'vitest';
import { accessChanges, createAccessView, createRegistration, type AccessView } from '../../src/application/auth/index.js';
import { createUserCommands } from '../../src/application/user/index.js';
import { createPostgresEventStore, type PostgresEventStore } from '../../src/eventstore/index.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/**
 * One view in this process, on the real log: it answers only while the lease
 * it last wrote holds, whatever it knows. A transaction of the test's holds
 * its row locked, so that it can neither renew its lease nor hear that it was
 * fenced, as a process cut off from its database would be.
 */
const NOW = new Date('2026-04-01T10:00:00Z');
const clock = { now: () => NOW };
const LEASE_MS = 1_000;

let database: TestDatabase;
let store: PostgresEventStore;
let view: AccessView;
let userId: string;

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 4 });
  store = createPostgresEventStore({ pool: database.pool });
  const users = createUserCommands({ db: database.db, store, clock, wall: clock, accessChanged: accessChanges(database.db) });
  const register = createRegistration({ db: database.db, store, clock, users, scrypt: { N: 2 ** 10, r: 8, p: 1 } });
  ({ userId } = await register(
    { email: 'someone@example.com', password: 'long-enough-password', displayName: 'Someone', role: 'ADMIN' },
    { actor: { id: 'system:test' }, source: 'cli', correlationId: 'corr-view' },
  ));
  view = createAccessView({ db: database.db, log: store, logger: createSilentLogger(), leaseMs: LEASE_MS });
  view.start();
});

afterAll(async () => {
  await view?.stop();
  await store?.close();
  await database?.close();
});

it('stops answering before a lease it cannot renew runs out, and answers again once registered anew and caught up', async () => {
  await expect.poll(() => view.actor(userId), { timeout: 10_000 }).toEqual({ id: userId, role: 'ADMIN' });
  const blocker = await database.pool.connect();
  try {
    await blocker.query('begin');
    await blocker.query('select 1 from auth.access_views where holder = $1 for update', [view.holder]);
    await expect.poll(() => view.actor(userId), { timeout: 5_000, interval: 20 }).toBeUndefined();
  } finally {
    await blocker.query('rollback');
    blocker.release();
  }
  await expect.poll(() => view.actor(userId), { timeout: 10_000 }).toEqual({ id: userId, role: 'ADMIN' });
}, 30_000);
