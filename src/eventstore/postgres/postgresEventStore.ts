import type pg from 'pg';
import type { Logger } from 'winston';
import { StreamNotFoundError } from '../core/index.js';
import {
  DEFAULT_READ_ALL_COUNT,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
} from '../core/index.js';
import { appendEvents } from './append.js';
import { postgresBatch } from './batch.js';
import { readPage } from './readPage.js';
import { EVENT_COLUMNS, toRecordedEvent, type EventRow } from './rows.js';
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
  /**
   * Live subscriptions read at most once per this many ms, so that appends
   * arriving together are read together. Short: a process has one reader
   * (shareLogReader), and the test clock waits for every hop of a stop.
   */
  subscriptionMinReadIntervalMs?: number;
}>;

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
    const result = await appendEvents(pool, streamName, events, expectedRevision);
    wakeups.appended();
    return result;
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
    // Streams are never empty: read from the start, no rows means no stream. From a revision, it may exist with nothing there yet.
    if (rows.length === 0 && opts.fromRevision === undefined && opts.maxCount !== 0) throw new StreamNotFoundError(streamName);
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
    batch: postgresBatch(pool, () => wakeups.appended()),

    async readAll(opts: ReadAllOptions = {}) {
      const page = await readPage(pool, opts.fromPosition, opts.maxCount ?? DEFAULT_READ_ALL_COUNT, opts.filter);
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
        minReadIntervalMs: options.subscriptionMinReadIntervalMs ?? 5,
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
