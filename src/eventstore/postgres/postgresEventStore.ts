import type pg from 'pg';
import type { Logger } from 'winston';
import { DuplicateEventIdError, StreamNotFoundError, WrongExpectedRevisionError } from '../errors.js';
import { retriedAppendResult } from '../idempotency.js';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
} from '../port.js';
import { readPage } from './readPage.js';
import { EVENT_COLUMNS, toPosition, toRecordedEvent, type EventRow } from './rows.js';
import { createPostgresSubscription } from './subscription.js';
import { Wakeups } from './wakeups.js';

export type PostgresEventStoreOptions = Readonly<{
  pool: pg.Pool;
  /** For the LISTEN connection. Without it, subscribers only poll. */
  connectionString?: string;
  logger?: Logger;
  /** Fallback poll when no notification arrives. */
  pollIntervalMs?: number;
  /** Events read per round trip by subscriptions. */
  subscriptionBatchSize?: number;
}>;

type AppendRow = {
  o_revision: string | null;
  o_transaction_id: string | null;
  o_position: string | null;
  o_stream: string;
  o_event_id: string | null;
  o_outcome: 'appended' | 'retry' | 'wrong_expected_revision';
};

const APPEND = `select o_revision::text, o_transaction_id::text, o_position::text, o_stream,
  o_event_id::text, o_outcome
  from es.append_to_stream($1, $2, $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[])`;

const UNIQUE_VIOLATION = '23505';

const expectedText = (expected: ExpectedRevision): string =>
  typeof expected === 'bigint' ? expected.toString() : expected;

export type PostgresEventStore = EventStore & { start(): Promise<void> };

export const createPostgresEventStore = (options: PostgresEventStoreOptions): PostgresEventStore => {
  const { pool } = options;
  const wakeups = new Wakeups(pool, options.connectionString, options.logger);
  const subscriptions = new Set<{ close(): Promise<void> }>();

  const append = async (
    streamName: string,
    events: readonly EventToAppend[],
    { expectedRevision }: AppendOptions,
  ): Promise<AppendResult> => {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    if (typeof expectedRevision === 'bigint' && expectedRevision < 0n) {
      throw new RangeError(`expected revision must be >= 0, got ${expectedRevision}`);
    }
    let rows: AppendRow[];
    try {
      ({ rows } = await pool.query<AppendRow>({
        name: 'es_append',
        text: APPEND,
        values: [
          streamName,
          expectedText(expectedRevision),
          events.map((e) => e.eventId),
          events.map((e) => e.type),
          events.map((e) => JSON.stringify(e.data)),
          events.map((e) => JSON.stringify(e.metadata)),
        ],
      }));
    } catch (err) {
      const pgErr = err as { code?: string; constraint?: string };
      if (pgErr.code === UNIQUE_VIOLATION && pgErr.constraint === 'events_event_id_key') {
        // Part of the batch was written before, by another write: not a retry.
        throw new DuplicateEventIdError(streamName, events[0]!.eventId);
      }
      throw err;
    }
    const first = rows[0];
    if (!first) throw new Error(`append to ${streamName} returned no result`);
    switch (first.o_outcome) {
      case 'wrong_expected_revision':
        throw new WrongExpectedRevisionError(
          streamName,
          expectedRevision,
          first.o_revision === null ? 'no_stream' : BigInt(first.o_revision),
        );
      case 'retry':
        return retriedAppendResult(
          streamName,
          events,
          rows.map((r) => ({
            eventId: r.o_event_id!,
            streamName: r.o_stream,
            revision: BigInt(r.o_revision!),
            position: toPosition(r.o_transaction_id!, r.o_position!),
          })),
        )!;
      case 'appended': {
        wakeups.appended();
        const last = rows[rows.length - 1]!;
        return {
          nextExpectedRevision: BigInt(last.o_revision!),
          position: toPosition(last.o_transaction_id!, last.o_position!),
        };
      }
    }
  };

  const readStream = async (streamName: string, opts: ReadStreamOptions = {}): Promise<RecordedEvent[]> => {
    const backwards = opts.direction === 'backwards';
    const { rows } = await pool.query<EventRow>({
      name: backwards ? 'es_read_stream_backwards' : 'es_read_stream_forwards',
      text: `select ${EVENT_COLUMNS} from es.events e
              where e.stream_name = $1
                and ($2::bigint is null or e.revision ${backwards ? '<=' : '>='} $2::bigint)
              order by e.revision ${backwards ? 'desc' : 'asc'}
              limit $3`,
      values: [streamName, opts.fromRevision?.toString() ?? null, opts.maxCount ?? null],
    });
    if (rows.length === 0) {
      const { rowCount } = await pool.query({
        name: 'es_stream_exists',
        text: 'select 1 from es.events where stream_name = $1 limit 1',
        values: [streamName],
      });
      if (!rowCount) throw new StreamNotFoundError(streamName);
    }
    return rows.map(toRecordedEvent);
  };

  const store: PostgresEventStore = {
    kind: 'postgres',
    start: () => wakeups.start(),
    appendToStream: append,
    readStream,

    async readAll(opts: ReadAllOptions = {}) {
      const page = await readPage(pool, opts.fromPosition, opts.maxCount ?? 1000, opts.filter);
      return page.events;
    },

    subscribeToAll(opts: SubscribeOptions = {}) {
      const subscription = createPostgresSubscription({
        pool,
        wakeups,
        from: opts.fromPosition,
        filter: opts.filter,
        batchSize: options.subscriptionBatchSize ?? 1000,
        pollIntervalMs: options.pollIntervalMs ?? 1000,
        onClose: () => subscriptions.delete(subscription),
      });
      subscriptions.add(subscription);
      return subscription;
    },

    async headPosition() {
      return (await readPage(pool, undefined, 0, undefined)).head;
    },

    async ping() {
      await pool.query('select 1');
    },

    async close() {
      await Promise.all([...subscriptions].map((s) => s.close()));
      await wakeups.close();
    },
  };
  return store;
};
