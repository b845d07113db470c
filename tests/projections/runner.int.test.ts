import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import winston from 'winston';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  comparePositions,
  createPostgresEventStore,
  formatPosition,
  hasReached,
  shareLogReader,
  type EventStore,
  type PostgresEventStore,
} from '../../src/eventstore/index.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { getCheckpoint, ProjectionRunner, type Projection } from '../../src/projections/runtime/index.js';
import { anEvent, DELIVERY, events } from '../eventstore/conformanceSupport.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { createTestTables, readTotals, testProjection } from './testProjection.js';

let database: TestDatabase;
let store: PostgresEventStore;
const logger = createSilentLogger();

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 20 });
  store = createPostgresEventStore({ pool: database.pool, connectionString: database.url, pollIntervalMs: 100 });
  await store.start();
});
afterAll(async () => {
  await store.close();
  await database.close();
});

const runnerFor = (...projections: Projection[]) =>
  new ProjectionRunner({ db: database.db, store, logger, projections, batchSize: 50, retryDelayMs: 50 });

const appendMany = async (prefix: string, streams: number, perStream: number) => {
  for (let s = 0; s < streams; s++) {
    await store.appendToStream(`${prefix}${s}`, events(perStream), { expectedRevision: 'no_stream' });
  }
};

/** 8 writers appending 25 one-event streams each at once, while runners race: the last position of the 200. */
const appendRacing = async (prefix: string) => {
  const positions = await Promise.all(
    Array.from({ length: 8 }, async (_, w) => {
      const mine = [];
      for (let i = 0; i < 25; i++) {
        mine.push((await store.appendToStream(`${prefix}${w}-${i}`, [anEvent()], { expectedRevision: 'no_stream' })).position);
      }
      return mine;
    }),
  );
  return positions.flat().sort(comparePositions).pop()!;
};

describe('ProjectionRunner', () => {
  it('applies every event once in batches and keeps rows and checkpoint together', async () => {
    const name = 'p_basic';
    await createTestTables(database.db, name);
    const prefix = `basic${randomUUID().slice(0, 6)}-`;
    await appendMany(prefix, 10, 23);
    const projection = testProjection(name, { streamPrefix: prefix });
    const runner = runnerFor(projection);
    runner.start();
    await expect.poll(() => readTotals(database.db, name), DELIVERY).toMatchObject({ applied: 230 });
    await appendMany(`${prefix}live`, 2, 5);
    await expect.poll(() => readTotals(database.db, name), DELIVERY).toMatchObject({ applied: 240 });
    await runner.stop();

    expect(await readTotals(database.db, name)).toEqual({ applied: 240, total: 240 });
    expect(projection.applyCalls).toBeGreaterThanOrEqual(240 / 50);
    const checkpoint = await getCheckpoint(database.db, name);
    expect(checkpoint?.eventsApplied).toBe(240n);
    const [status] = await runner.status();
    expect(status).toMatchObject({ name, running: false, position: formatPosition(checkpoint!.position!) });
  });

  it('moves its checkpoint past events its filter skips', async () => {
    const name = 'p_filter';
    await createTestTables(database.db, name);
    const runner = runnerFor(testProjection(name, { streamPrefix: `nothing-matches-${randomUUID()}` }));
    runner.start();
    // Waiting on the append's own position: the readable head can lag behind it while another transaction runs.
    const { position } = await store.appendToStream(`other-${randomUUID()}`, events(3), { expectedRevision: 'no_stream' });
    expect(await runner.waitFor([name], position, 10_000)).toBe(true);
    await runner.stop();
    expect(hasReached((await getCheckpoint(database.db, name))?.position, position)).toBe(true);
    expect(await readTotals(database.db, name)).toEqual({ applied: 0, total: 0 });
  });

  it('rolls back a failed batch with its checkpoint and retries it', async () => {
    const name = 'p_failing';
    await createTestTables(database.db, name);
    const prefix = `fail${randomUUID().slice(0, 6)}-`;
    await appendMany(prefix, 3, 10);
    let failuresLeft = 2;
    const runner = runnerFor(
      testProjection(name, {
        streamPrefix: prefix,
        beforeCommit: async () => {
          if (failuresLeft-- > 0) throw new Error('read model unavailable');
        },
      }),
    );
    runner.start();
    await expect.poll(() => readTotals(database.db, name), DELIVERY).toMatchObject({ applied: 30 });
    await runner.stop();
    expect(failuresLeft).toBeLessThan(0);
    expect(await readTotals(database.db, name)).toEqual({ applied: 30, total: 30 });
  });

  it('rebuilds from position 0 into an emptied read model', async () => {
    const name = 'p_rebuild';
    await createTestTables(database.db, name);
    const prefix = `rebuild${randomUUID().slice(0, 6)}-`;
    await appendMany(prefix, 4, 25);
    const projection = testProjection(name, { streamPrefix: prefix });
    const runner = runnerFor(projection);
    runner.start();
    await expect.poll(() => readTotals(database.db, name), DELIVERY).toMatchObject({ applied: 100 });
    const callsBefore = projection.applyCalls;
    await runner.rebuild(name);
    await expect.poll(async () => (await getCheckpoint(database.db, name))?.eventsApplied, DELIVERY).toBe(100n);
    await runner.stop();
    expect(projection.applyCalls).toBeGreaterThan(callsBefore);
    expect(await readTotals(database.db, name)).toEqual({ applied: 100, total: 100 });
  });

  it('applies each event once when two runners race on the same projection', async () => {
    const name = 'p_race';
    // No unique key: a batch applied twice is not rolled back and retried, but counted.
    await createTestTables(database.db, name, { unique: false });
    const prefix = `race${randomUUID().slice(0, 6)}-`;
    const runners = [runnerFor(testProjection(name, { streamPrefix: prefix })), runnerFor(testProjection(name, { streamPrefix: prefix }))];
    runners.forEach((r) => r.start());
    const last = await appendRacing(prefix);
    // Each runner has passed every event: applied it, or moved past it to the other's checkpoint.
    for (const runner of runners) expect(await runner.waitFor([name], last, 20_000)).toBe(true);
    await Promise.all(runners.map((r) => r.stop()));
    expect(await readTotals(database.db, name)).toEqual({ applied: 200, total: 200 });
  });

  it('applies each event once when two processes race on the same projections, each committing them together', async () => {
    const names = ['p_race_group_a', 'p_race_group_b'];
    for (const name of names) await createTestTables(database.db, name, { unique: false });
    const prefix = `racegroup${randomUUID().slice(0, 6)}-`;
    // Three processes, each one log reader for both projections, so their batches come together and move both checkpoints in one statement.
    const runners = [0, 1, 2].map(
      () =>
        new ProjectionRunner({
          db: database.db,
          store: shareLogReader(store),
          logger,
          batchSize: 50,
          retryDelayMs: 50,
          projections: names.map((name) => testProjection(name, { streamPrefix: prefix })),
        }),
    );
    runners.forEach((r) => r.start());
    const last = await appendRacing(prefix);
    for (const runner of runners) expect(await runner.waitFor(names, last, 20_000)).toBe(true);
    await Promise.all(runners.map((r) => r.stop()));
    for (const name of names) expect(await readTotals(database.db, name)).toEqual({ applied: 200, total: 200 });
  });

  it('survives a subscription read failing while a batch is being written, then resumes', async () => {
    const name = 'p_readfail';
    await createTestTables(database.db, name);
    const prefix = `readfail${randomUUID().slice(0, 6)}-`;
    await appendMany(prefix, 1, 2);
    let failed = false;
    // The 4th read (the one after caught-up) fails at once, while the batch's slow apply is still running.
    const flakyStore: EventStore = {
      ...store,
      subscribeToAll(options) {
        const inner = store.subscribeToAll(options);
        let reads = 0;
        return {
          close: () => inner.close(),
          [Symbol.asyncIterator]: () => {
            const iterator = inner[Symbol.asyncIterator]();
            return {
              next: () => (++reads === 4 && !failed ? ((failed = true), Promise.reject(new Error('connection lost'))) : iterator.next()),
              return: (value?: unknown) => iterator.return!(value),
            };
          },
        };
      },
    };
    const runner = new ProjectionRunner({
      db: database.db,
      store: flakyStore,
      logger,
      retryDelayMs: 50,
      projections: [testProjection(name, { streamPrefix: prefix, beforeCommit: () => new Promise((r) => setTimeout(r, 200)) })],
    });
    runner.start();
    await expect.poll(async () => failed && (await getCheckpoint(database.db, name))?.eventsApplied, DELIVERY).toBe(2n);
    await appendMany(`${prefix}more`, 1, 3);
    await expect.poll(() => readTotals(database.db, name), DELIVERY).toMatchObject({ applied: 5 });
    await runner.stop();
    expect(await readTotals(database.db, name)).toEqual({ applied: 5, total: 5 });
  });

  it('reports a projection at the head as caught up even when its store never says so', async () => {
    const name = 'p_silent';
    await createTestTables(database.db, name);
    // Like EventStoreDB before 23.10: events and checkpoints, but no caught-up signal.
    const silentStore: EventStore = {
      ...store,
      subscribeToAll(options) {
        const inner = store.subscribeToAll(options);
        return {
          close: () => inner.close(),
          async *[Symbol.asyncIterator]() {
            for await (const message of inner) if (message.kind !== 'caughtUp') yield message;
          },
        };
      },
    };
    const runner = new ProjectionRunner({ db: database.db, store: silentStore, logger, projections: [testProjection(name)] });
    runner.start();
    const { position } = await store.appendToStream(`silent-${randomUUID()}`, [anEvent()], { expectedRevision: 'no_stream' });
    expect(await runner.waitFor([name], position, 10_000)).toBe(true);
    const [status] = await runner.status();
    await runner.stop();
    expect(status).toMatchObject({ caughtUp: true, lagMs: 0 });
  });

  it('tells a waiter when a position has been projected, and when it has not in time', async () => {
    const name = 'p_wait';
    await createTestTables(database.db, name);
    const runner = runnerFor(testProjection(name));
    const { position } = await store.appendToStream(`wait-${randomUUID()}`, [anEvent()], { expectedRevision: 'no_stream' });
    expect(await runner.waitFor([name], position, 200)).toBe(false);
    runner.start();
    expect(await runner.waitFor([name], position, 10_000)).toBe(true);
    await runner.stop();
  });

  it('commits the batches of its projections that come together in one transaction, and a failing one alone, without holding the others back', async () => {
    const names = ['p_group_a', 'p_group_b', 'p_group_failing'];
    for (const name of names) await createTestTables(database.db, name);
    const prefix = `group${randomUUID().slice(0, 6)}-`;
    let failing = true;
    const transactions = new Map<string, string[]>(names.map((n) => [n, []]));
    // Each batch records the transaction it is written in.
    const recorded = (projection: Projection): Projection => ({
      ...projection,
      apply: async (trx, batch) => {
        const { rows } = await sql<{ tx: string }>`select txid_current()::text as tx`.execute(trx);
        transactions.get(projection.name)!.push(rows[0]!.tx);
        await projection.apply(trx, batch);
      },
    });
    // Which projections failed a batch, as the runner logs it.
    const failed: string[] = [];
    const logged = new Writable({
      write: (line: Buffer, _encoding, done) => {
        const entry = JSON.parse(line.toString()) as { message: string; projection?: string };
        if (entry.message === 'projection failed; retrying') failed.push(entry.projection!);
        done();
      },
    });
    const groupLogger = winston.createLogger({ format: winston.format.json(), transports: [new winston.transports.Stream({ stream: logged })] });
    // As a process runs its projections: one reader of the log for all of them.
    const log = shareLogReader(store);
    const runner = new ProjectionRunner({
      db: database.db,
      store: log,
      logger: groupLogger,
      batchSize: 50,
      retryDelayMs: 50,
      projections: [
      recorded(testProjection(names[0]!, { streamPrefix: prefix })),
      recorded(testProjection(names[1]!, { streamPrefix: prefix })),
      recorded(
        testProjection(names[2]!, {
          streamPrefix: prefix,
          beforeCommit: async () => {
            if (failing) throw new Error('read model unavailable');
          },
        }),
      ),
      ],
    });
    runner.start();
    // Appended one stream at a time while the runner is live: each page reaches the three at once.
    await appendMany(prefix, 5, 4);
    await expect.poll(() => readTotals(database.db, names[0]!), DELIVERY).toMatchObject({ applied: 20 });
    await expect.poll(() => readTotals(database.db, names[1]!), DELIVERY).toMatchObject({ applied: 20 });
    // The failing one's rows were rolled back every time, and the others' were committed all the same.
    expect(await readTotals(database.db, names[2]!)).toEqual({ applied: 0, total: 0 });
    expect(new Set(failed)).toEqual(new Set([names[2]]));
    failing = false;
    await expect.poll(() => readTotals(database.db, names[2]!), DELIVERY).toMatchObject({ applied: 20, total: 20 });
    await appendMany(`${prefix}more`, 3, 2);
    for (const name of names) await expect.poll(() => readTotals(database.db, name), DELIVERY).toEqual({ applied: 26, total: 26 });
    await runner.stop();
    // Batches of two or three projections were written in one transaction.
    const [a, b] = [transactions.get(names[0]!)!, transactions.get(names[1]!)!];
    expect(a.filter((tx) => b.includes(tx)).length).toBeGreaterThan(0);
  });
});
