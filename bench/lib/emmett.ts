/**
 * @event-driven-io/emmett-postgresql as a benchmark subject.
 *
 * Emmett's dumbo sets process-wide `pg` type parsers (int8 -> BigInt, json via
 * its own serializer) as soon as a store is created, so open this subject only
 * after the billstream one is closed.
 */
import { randomUUID } from 'node:crypto';
import { dumbo, rawSql } from '@event-driven-io/dumbo';
import { STREAM_DOES_NOT_EXIST, type Event, type ExpectedStreamVersion } from '@event-driven-io/emmett';
import {
  getPostgreSQLEventStore,
  messagesTable,
  postgreSQLProjection,
  readMessagesBatch,
} from '@event-driven-io/emmett-postgresql';
import pg from 'pg';
import { benchEventData, benchEventMetadata } from './billstream.js';
import { elapsedSeconds, type Subject } from './workloads.js';

type Something = Event<
  'Something',
  ReturnType<typeof benchEventData>,
  ReturnType<typeof benchEventMetadata>
>;

export const openEmmett = async (connectionString: string): Promise<Subject> => {
  // Same pool size as billstream's; Emmett's own default pool is pg's (max 10).
  const pgPool = new pg.Pool({ connectionString, max: 40, application_name: 'emmett-bench' });
  pgPool.on('error', () => undefined);
  const pool = dumbo({ connectionString, pool: pgPool });
  const store = getPostgreSQLEventStore(connectionString, { connectionOptions: { dumbo: pool } });
  // Emmett would migrate lazily on the first append; do it now so no workload pays for it.
  await store.schema.migrate();
  const correlationId = randomUUID();

  const event = (i: number): Something => ({
    type: 'Something',
    data: benchEventData(i),
    metadata: benchEventMetadata(correlationId),
  });

  return {
    label: 'emmett',

    writer(streamName) {
      let expectedStreamVersion: ExpectedStreamVersion = STREAM_DOES_NOT_EXIST;
      let i = 0;
      return async (count) => {
        const events = Array.from({ length: count }, () => event(i++));
        const result = await store.appendToStream<Something>(streamName, events, { expectedStreamVersion });
        expectedStreamVersion = result.nextExpectedStreamVersion;
      };
    },

    async readAll(pageSize) {
      let after = 0n;
      let returned = 0;
      const seen = new Set<string>();
      for (;;) {
        const { messages, currentGlobalPosition } = await readMessagesBatch<Something>(pool.execute, {
          after,
          batchSize: pageSize,
        });
        if (messages.length === 0) return { returned, distinct: seen.size };
        for (const m of messages) seen.add(m.metadata.messageId);
        returned += messages.length;
        after = currentGlobalPosition;
      }
    },

    async project({ batchSize, maxEvents }) {
      await pgPool.query('create table bench_counter (n bigint not null)');
      await pgPool.query('insert into bench_counter (n) values (0)');
      const consumer = store.consumer({
        stopWhen: { noMessagesLeft: true },
        // Emmett sleeps pullingFrequencyInMs (default 50) between batches; 0 lets it run flat out.
        pulling: { batchSize, pullingFrequencyInMs: 0 },
      });
      let handled = 0;
      let lastHandled = 0n;
      consumer.projector<Something>({
        processorId: 'bench_counter',
        // Its projector calls handle() once per event, each with its own checkpoint write.
        stopAfter: () => ++handled >= maxEvents,
        projection: postgreSQLProjection<Something>({
          name: 'bench_counter',
          canHandle: ['Something'],
          handle: async (events, context) => {
            lastHandled = events[events.length - 1]?.metadata.globalPosition ?? lastHandled;
            await context.execute.command(rawSql(`update bench_counter set n = n + ${events.length}`));
          },
        }),
      });
      const start = process.hrtime.bigint();
      await consumer.start();
      const seconds = elapsedSeconds(start);
      await consumer.close();
      const { rows } = await pgPool.query<{ n: string }>('select n::text as n from bench_counter');
      const applied = Number(rows[0]?.n ?? 0);
      // Events up to the last one handled, in the order the consumer reads them.
      const { rows: upTo } = await pgPool.query<{ n: string }>(
        `select count(*)::text as n from ${messagesTable.name}
          where (transaction_id, global_position) <=
                (select transaction_id, global_position from ${messagesTable.name} where global_position = $1)`,
        [lastHandled.toString()],
      );
      const due = Number(upTo[0]?.n ?? 0);
      const fmt = (n: number) => n.toLocaleString('en-US');
      const note =
        `projector capped at ${fmt(maxEvents)} events (stopAfter): it handles and checkpoints one event at a time` +
        (applied === due
          ? ''
          : `; it applied ${fmt(applied)} of the ${fmt(due)} events up to its stopping point, skipping ${fmt(due - applied)}`);
      return { applied, seconds, note };
    },

    async countEvents() {
      const { rows } = await pgPool.query<{ n: string }>(`select count(*)::text as n from ${messagesTable.name}`);
      return Number(rows[0]?.n ?? 0);
    },

    async close() {
      await store.close();
      await pgPool.end();
    },
  };
};
