import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/shared/index.js';
import { userDecider, userStreamName, type UserCommand } from '../../src/domain/user/index.js';
import { createPostgresEventStore, handleCommand, type PostgresEventStore, type Position } from '../../src/eventstore/index.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { auditProjection } from '../../src/projections/audit/index.js';
import { ProjectionRunner } from '../../src/projections/runtime/index.js';
import { usersProjection } from '../../src/projections/user/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const T0 = '2026-02-01T08:00:00.000Z';
const T1 = '2026-02-01T09:00:00.000Z';
const manager: Actor = { id: 'usr_boss', role: 'MANAGER' };

let database: TestDatabase;
let store: PostgresEventStore;
let runner: ProjectionRunner;
beforeAll(async () => {
  database = await createTestDatabase();
  store = createPostgresEventStore({ pool: database.pool, connectionString: database.url, pollIntervalMs: 100 });
  await store.start();
  runner = new ProjectionRunner({
    db: database.db,
    store,
    logger: createSilentLogger(),
    projections: [usersProjection, auditProjection],
  });
  runner.start();
});
afterAll(async () => {
  await runner.stop();
  await store.close();
  await database.close();
});

let lastPosition: Position | undefined;
const send = async (userId: string, command: UserCommand, now: string) => {
  const result = await handleCommand(store, userStreamName(userId), userDecider, command, {
    correlationId: `corr-${userId}`,
    actor: manager,
    source: 'api',
    occurredAt: new Date(now),
  });
  lastPosition = result.position ?? lastPosition;
  return result;
};

/** Waits on the last write's own position, not the readable head, which can lag while other transactions run. */
const caughtUp = async () => {
  expect(await runner.waitFor(['users', 'audit_log'], lastPosition!, 10_000)).toBe(true);
};

describe('users read model', () => {
  it('follows registration, role changes and (de)activation, with the stream revision', async () => {
    await send('usr_ada', { type: 'RegisterUser', data: { userId: 'usr_ada', email: 'ada@example.com', displayName: 'Ada', role: 'USER', now: T0 } }, T0);
    await send('usr_ada', { type: 'ChangeUserRole', data: { to: 'ADMIN', actor: manager, now: T1 } }, T1);
    await send('usr_ada', { type: 'DeactivateUser', data: { actor: manager, now: T1 } }, T1);
    await caughtUp();
    const row = await database.db.selectFrom('read.users').selectAll().where('user_id', '=', 'usr_ada').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ email: 'ada@example.com', display_name: 'Ada', role: 'ADMIN', active: false, revision: '2' });
    expect(row.registered_at.toISOString()).toBe(T0);
    expect(row.updated_at.toISOString()).toBe(T1);

    // Replaying the whole stream, as a rebuild racing a live runner might, changes nothing.
    const history = await store.readStream(userStreamName('usr_ada'));
    await database.db.transaction().execute((trx) => usersProjection.apply(trx, history));
    expect(await database.db.selectFrom('read.users').selectAll().where('user_id', '=', 'usr_ada').executeTakeFirstOrThrow()).toEqual(row);
  });
});

describe('audit trail', () => {
  it('holds one row per event with actor, correlation and what changed', async () => {
    await send('usr_bob', { type: 'RegisterUser', data: { userId: 'usr_bob', email: 'bob@example.com', displayName: 'Bob', role: 'USER', now: T0 } }, T0);
    await send('usr_bob', { type: 'ChangeUserRole', data: { to: 'ADMIN', actor: manager, now: T1 } }, T1);
    await caughtUp();
    const rows = await database.db
      .selectFrom('read.audit_log')
      .select(['stream_name', 'event_type', 'actor_id', 'actor_role', 'correlation_id', 'occurred_at', 'changes'])
      .where('stream_name', '=', 'user-usr_bob')
      .orderBy('position_commit')
      .orderBy('position_prepare')
      .execute();
    expect(rows.map((r) => [r.event_type, r.actor_id, r.actor_role, r.correlation_id])).toEqual([
      ['UserRegistered', 'usr_boss', 'MANAGER', 'corr-usr_bob'],
      ['UserRoleChanged', 'usr_boss', 'MANAGER', 'corr-usr_bob'],
    ]);
    expect(rows[1]!.changes).toEqual({ role: { before: 'USER', after: 'ADMIN' } });
    expect(rows[1]!.occurred_at.toISOString()).toBe(T1);
  });

  it('refuses UPDATE, DELETE and TRUNCATE, in the database itself', async () => {
    await caughtUp();
    for (const statement of [
      sql`update read.audit_log set actor_id = 'someone-else'`,
      sql`delete from read.audit_log`,
      sql`truncate read.audit_log`,
    ]) {
      await expect(statement.execute(database.db)).rejects.toThrow(/append-only/);
    }
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from read.audit_log where actor_id = 'someone-else'`.execute(database.db);
    expect(rows[0]!.n).toBe(0);
  });

  it('survives a rebuild unchanged: replays insert nothing twice', async () => {
    await caughtUp();
    const before = await database.db.selectFrom('read.audit_log').select(['event_id', 'id']).orderBy('id').execute();
    await runner.rebuild('audit_log');
    await caughtUp();
    const after = await database.db.selectFrom('read.audit_log').select(['event_id', 'id']).orderBy('id').execute();
    expect(after).toEqual(before);
    expect(before.length).toBe((await store.readAll({ maxCount: 1000 })).length);
  });
});
