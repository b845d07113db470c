import { createPostgresEventStore, type EventToAppend } from '../../src/eventstore/index.js';
import { createTestDatabase } from '../support/db.js';
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
  { transactions: true },
);
