import { afterAll, beforeAll, describe, it } from 'vitest';
import { createPool } from '../../src/db/pool.js';
import { createPostgresEventStore, type EventToAppend, type PostgresEventStore } from '../../src/eventstore/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { anEvent, collect, sleep, uniquePrefix } from './conformanceSupport.js';
import { eventStoreConformance } from './eventStore.conformance.js';

eventStoreConformance(
  'postgres',
  async () => {
    const database = await createTestDatabase({ poolSize: 40 });
    const store = createPostgresEventStore({ pool: database.pool, connectionString: database.url, pollIntervalMs: 200 });
    await store.start();
    /** The store's own append function, run in a transaction the test ends. */
    const openAppend = async (streamName: string, events: readonly EventToAppend[]) => {
      const client = await database.pool.connect();
      await client.query('begin');
      await client.query(
        'select * from es.append_to_stream($1, $2, $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[])',
        [
          streamName,
          'any',
          events.map((e) => e.eventId),
          events.map((e) => e.type),
          events.map((e) => JSON.stringify(e.data)),
          events.map((e) => JSON.stringify(e.metadata)),
        ],
      );
      const end = (sql: string) => async () => {
        try {
          await client.query(sql);
        } finally {
          client.release();
        }
      };
      return { commit: end('commit'), rollback: end('rollback') };
    };
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

describe('PostgreSQL store: waking subscribers in other processes', () => {
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
    await sub.until(() => sub.caughtUpCount() > 0);
    await sleep(100); // its first read is done and it now waits
    await writer.appendToStream(`${prefix}1`, [anEvent()], { expectedRevision: 'no_stream' });
    await sub.until(() => sub.received.length === 1, 5_000);
    await sub.close();
    await other.close();
  });

  it('falls back to polling without a LISTEN connection', async () => {
    const other = await otherProcess({ listen: false, pollIntervalMs: 100 });
    const prefix = uniquePrefix('poll');
    const sub = collect(other.store, { filter: { streamPrefixes: [prefix] } });
    await sub.until(() => sub.caughtUpCount() > 0);
    await writer.appendToStream(`${prefix}1`, [anEvent()], { expectedRevision: 'no_stream' });
    await sub.until(() => sub.received.length === 1, 5_000);
    await sub.close();
    await other.close();
  });
});
