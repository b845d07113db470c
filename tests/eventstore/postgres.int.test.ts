import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/pool.js';
import { createPostgresEventStore, type PostgresEventStore, type RecordedEvent } from '../../src/eventstore/index.js';
import { createPostgresSubscription } from '../../src/eventstore/postgres/subscription.js';
import { Wakeups } from '../../src/eventstore/postgres/wakeups.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { anEvent, collect, DELIVERY, postgresOpenAppend, uniquePrefix } from './conformanceSupport.js';
import { eventStoreConformance } from './eventStore.conformance.js';

eventStoreConformance(
  'postgres',
  async () => {
    const database = await createTestDatabase({ poolSize: 40 });
    const store = createPostgresEventStore({ pool: database.pool, connectionString: database.url, pollIntervalMs: 200 });
    await store.start();
    const openAppend = postgresOpenAppend(database.pool);
    return {
      store,
      openAppend,
      close: async () => {
        await store.close();
        await database.close();
      },
    };
  },
  { transactions: true, globallyUniqueEventIds: true },
);

describe('PostgreSQL store: waking subscribers', () => {
  let database: TestDatabase;
  let writer: PostgresEventStore;
  beforeAll(async () => {
    database = await createTestDatabase();
    writer = createPostgresEventStore({ pool: database.pool, connectionString: database.url });
    await writer.start();
  });
  afterAll(async () => {
    await writer.close();
    await database.close();
  });

  /** A second store on its own pool stands for another process: it only learns of appends from PostgreSQL. */
  const otherProcess = async (options: { listen: boolean; pollIntervalMs: number }) => {
    const pool = createPool({ connectionString: database.url, max: 2 });
    const store = createPostgresEventStore({
      pool,
      ...(options.listen && { connectionString: database.url }),
      pollIntervalMs: options.pollIntervalMs,
    });
    await store.start();
    return { store, close: async () => (await store.close(), await pool.end()) };
  };

  it('wakes on NOTIFY long before its next poll', async () => {
    const other = await otherProcess({ listen: true, pollIntervalMs: 600_000 });
    const prefix = uniquePrefix('notify');
    const sub = collect(other.store, { filter: { streamPrefixes: [prefix] } });
    await expect.poll(sub.caughtUpCount, DELIVERY).toBeGreaterThan(0);
    await writer.appendToStream(`${prefix}1`, [anEvent()], { expectedRevision: 'no_stream' });
    // Well below its 10-minute poll: only a wake-up delivers it in time.
    await expect.poll(() => sub.received.length, DELIVERY).toBe(1);
    await sub.close();
    await other.close();
  });

  it('falls back to polling without a LISTEN connection', async () => {
    const other = await otherProcess({ listen: false, pollIntervalMs: 100 });
    const prefix = uniquePrefix('poll');
    const sub = collect(other.store, { filter: { streamPrefixes: [prefix] } });
    await expect.poll(sub.caughtUpCount, DELIVERY).toBeGreaterThan(0);
    await writer.appendToStream(`${prefix}1`, [anEvent()], { expectedRevision: 'no_stream' });
    await expect.poll(() => sub.received.length, DELIVERY).toBe(1);
    await sub.close();
    await other.close();
  });

  it('loses no wake-up from an append that commits between its page read and its wait', async () => {
    // No LISTEN and a 10-minute poll: only this store's own wake-ups can deliver within the test.
    const local = createPostgresEventStore({ pool: database.pool, pollIntervalMs: 600_000 });
    const prefix = uniquePrefix('gap');
    const subscription = local.subscribeToAll({ filter: { streamPrefixes: [prefix] } });
    const received: RecordedEvent[] = [];
    const rounds = 20;
    let appended = 0;
    const reading = (async () => {
      for await (const message of subscription) {
        if (message.kind === 'event') received.push(message.event);
        // The subscriber is paused at this signal: it has read its page and not yet
        // started to wait. Each append commits and wakes in exactly that gap.
        else if (appended < rounds) {
          await local.appendToStream(`${prefix}${appended++}`, [anEvent()], { expectedRevision: 'no_stream' });
        }
      }
    })();
    await expect.poll(() => received.length, DELIVERY).toBe(rounds);
    await local.close();
    await reading;
  });

  it('backs off while events are held back, and starts again from 2 ms once it makes progress', async () => {
    /** Records each wait's timeout: the backoff schedule itself, not how long anything took. */
    class RecordingWakeups extends Wakeups {
      readonly timeouts: number[] = [];
      override wait(since: number, timeoutMs: number, signal?: AbortSignal) {
        this.timeouts.push(timeoutMs);
        return super.wait(since, timeoutMs, signal);
      }
    }
    const wakeups = new RecordingWakeups(database.pool, undefined, undefined);
    const prefix = uniquePrefix('held');
    const subscription = createPostgresSubscription({
      pool: database.pool, wakeups, from: undefined, filter: { streamPrefixes: [prefix] },
      batchSize: 100, pollIntervalMs: 600_000, minReadIntervalMs: 0, onClose: () => undefined,
    });
    /** An open transaction with an id holds back every event committed after it began. */
    const holdHorizon = async () => {
      const client = await database.pool.connect();
      await client.query('begin');
      await client.query('select pg_current_xact_id()');
      return async () => (await client.query('commit'), client.release());
    };
    const [first, second] = [anEvent('First'), anEvent('Second')];
    const releaseFirst = await holdHorizon();
    await writer.appendToStream(`${prefix}1`, [first], { expectedRevision: 'no_stream' });
    let releaseSecond: (() => Promise<void>) | undefined;
    let caughtUps = 0;
    let waitsBeforeFirst: number | undefined;
    for await (const message of subscription) {
      if (message.kind === 'event') {
        if (message.event.eventId === first.eventId) waitsBeforeFirst = wakeups.timeouts.length;
        if (message.event.eventId === second.eventId) break;
      } else if (++caughtUps === 8) {
        // Backed off to 50 ms by now. Hold the second event back behind a newer transaction, release the first.
        releaseSecond = await holdHorizon();
        await writer.appendToStream(`${prefix}2`, [second], { expectedRevision: 'no_stream' });
        await releaseFirst();
      } else if (waitsBeforeFirst !== undefined && wakeups.timeouts.length > waitsBeforeFirst && releaseSecond) {
        await releaseSecond();
        releaseSecond = undefined;
      }
    }
    await subscription.close();
    expect(wakeups.timeouts.slice(0, 7)).toEqual([2, 4, 8, 16, 32, 50, 50]);
    // The read that delivered the first event made progress, though the second is still held back.
    expect(wakeups.timeouts[waitsBeforeFirst!]).toBe(2);
  });
});
