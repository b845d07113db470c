import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPostgresEventStore, parsePosition, hasReached, type EventStore, type Position, type PostgresEventStore } from '../../src/eventstore/index.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { getCheckpoint, ProjectionRunner } from '../../src/projections/runtime/index.js';
import { anEvent } from '../eventstore/conformanceSupport.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { createTestTables, readTotals, testProjection } from './testProjection.js';

let database: TestDatabase;
let store: PostgresEventStore;
beforeAll(async () => {
  database = await createTestDatabase();
  store = createPostgresEventStore({ pool: database.pool, connectionString: database.url, pollIntervalMs: 100 });
  await store.start();
});
afterAll(async () => {
  await store.close();
  await database.close();
});

it('keeps a position reached without its own events in memory, and stores it with the next batch or on stop', async () => {
  const name = 'p_quiet';
  await createTestTables(database.db, name);
  const prefix = `quiet${randomUUID().slice(0, 6)}-`;
  // A restart would mean the worker found its checkpoint "moved" by its own hand.
  let subscriptions = 0;
  const countingStore: EventStore = { ...store, subscribeToAll: (options) => (subscriptions++, store.subscribeToAll(options)) };
  const runner = new ProjectionRunner({
    db: database.db,
    store: countingStore,
    logger: createSilentLogger(),
    projections: [testProjection(name, { streamPrefix: prefix })],
    // Longer than the test: only a batch or the stop may write the checkpoint.
    checkpointIntervalMs: 600_000,
  });
  runner.start();
  const others = async (n: number) => {
    let last: Position | undefined;
    for (let i = 0; i < n; i++) {
      ({ position: last } = await store.appendToStream(`other-${randomUUID()}`, [anEvent()], { expectedRevision: 'no_stream' }));
      expect(await runner.waitFor([name], last, 10_000)).toBe(true);
    }
    return last!;
  };

  // Twenty caught-up signals with nothing for this projection: waiters are answered, nothing is written.
  const skipped = await others(20);
  expect((await getCheckpoint(database.db, name))?.position).toBeUndefined();
  const [status] = await runner.status();
  expect(hasReached(parsePosition(status!.position!), skipped)).toBe(true);

  // An event of its own is written with the checkpoint, in the same transaction.
  const own = await store.appendToStream(`${prefix}1`, [anEvent()], { expectedRevision: 'no_stream' });
  expect(await runner.waitFor([name], own.position, 10_000)).toBe(true);
  expect(await getCheckpoint(database.db, name)).toMatchObject({ position: own.position, eventsApplied: 1n });

  const last = await others(5);
  expect((await getCheckpoint(database.db, name))?.position).toEqual(own.position);
  await runner.stop();
  expect(hasReached((await getCheckpoint(database.db, name))?.position, last)).toBe(true);
  expect(await readTotals(database.db, name)).toEqual({ applied: 1, total: 1 });
  expect(subscriptions).toBe(1);
});
