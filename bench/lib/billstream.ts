/** The project's own PostgreSQL event store, as a benchmark subject. */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createKysely, createPool } from '../../src/db/pool.js';
import {
  comparePositions,
  createPostgresEventStore,
  formatPosition,
  type EventToAppend,
  type ExpectedRevision,
  type Position,
} from '../../src/eventstore/index.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { ProjectionRunner, type Projection } from '../../src/projections/runtime/index.js';
import { elapsedSeconds, type Subject } from './workloads.js';

export const benchEventData = (i: number) => ({ i, amount: 4_200, currency: 'EUR', note: 'benchmark' });

export const benchEventMetadata = (correlationId: string) => ({
  correlationId,
  actor: { id: 'bench' },
  source: 'bench',
  occurredAt: new Date().toISOString(),
  schemaVersion: 1,
});

export const openBillstream = async (connectionString: string): Promise<Subject> => {
  const pool = createPool({ connectionString, max: 40, applicationName: 'billstream-bench' });
  const db = createKysely(pool);
  await migrateToLatest(db);
  const store = createPostgresEventStore({ pool, connectionString });
  await store.start();
  const correlationId = randomUUID();
  const logger = createSilentLogger();

  const event = (i: number): EventToAppend => ({
    // As the app's handleCommand does for commands without an id.
    eventId: uuidv7(),
    type: 'Something',
    data: benchEventData(i),
    metadata: benchEventMetadata(correlationId),
  });

  return {
    label: 'billstream',

    writer(streamName) {
      let expectedRevision: ExpectedRevision = 'no_stream';
      let i = 0;
      return async (count) => {
        const events = Array.from({ length: count }, () => event(i++));
        const result = await store.appendToStream(streamName, events, { expectedRevision });
        expectedRevision = result.nextExpectedRevision;
      };
    },

    async readAll(pageSize) {
      let from: Position | undefined;
      let returned = 0;
      const seen = new Set<string>();
      for (;;) {
        const page = await store.readAll({ fromPosition: from, maxCount: pageSize });
        if (page.length === 0) return { returned, distinct: seen.size };
        for (const e of page) {
          if (from && comparePositions(from, e.position) >= 0) {
            throw new Error(`readAll out of order: ${formatPosition(e.position)} after ${formatPosition(from)}`);
          }
          from = e.position;
          seen.add(e.eventId);
        }
        returned += page.length;
      }
    },

    async project({ batchSize }) {
      await sql`create table bench_counter (n bigint not null)`.execute(db);
      await sql`insert into bench_counter (n) values (0)`.execute(db);
      const projection: Projection = {
        name: 'bench_counter',
        apply: async (trx, events) => {
          await sql`update bench_counter set n = n + ${events.length}`.execute(trx);
        },
        reset: async (trx) => {
          await sql`update bench_counter set n = 0`.execute(trx);
        },
      };
      const runner = new ProjectionRunner({ db, store, logger, projections: [projection], batchSize });
      const head = await store.headPosition();
      if (!head) throw new Error('the store is empty');
      const start = process.hrtime.bigint();
      runner.start();
      const reached = await runner.waitFor([projection.name], head, 300_000);
      const seconds = elapsedSeconds(start);
      const [status] = await runner.status();
      await runner.stop();
      if (!reached) {
        throw new Error(`projection did not reach ${formatPosition(head)}: ${JSON.stringify(status)}`);
      }
      const { rows } = await sql<{ n: string }>`select n::text as n from bench_counter`.execute(db);
      const applied = Number(rows[0]?.n ?? 0);
      const inStore = Number((await pool.query<{ n: string }>('select count(*)::text as n from es.events')).rows[0]?.n);
      const note = applied === inStore ? undefined : `the projection counted ${applied} events, the store holds ${inStore}`;
      return { applied, seconds, note };
    },

    async countEvents() {
      const { rows } = await pool.query<{ n: string }>('select count(*)::text as n from es.events');
      return Number(rows[0]?.n ?? 0);
    },

    async close() {
      await store.close();
      await db.destroy();
    },
  };
};
