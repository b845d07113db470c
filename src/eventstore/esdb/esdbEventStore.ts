import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  StreamNotFoundError as EsdbStreamNotFoundError,
  WrongExpectedVersionError,
  type ResolvedEvent,
} from '@eventstore/db-client';
import type { Logger } from 'winston';
import { StreamNotFoundError, WrongExpectedRevisionError } from '../core/index.js';
import { comparePositions } from '../core/index.js';
import {
  DEFAULT_READ_ALL_COUNT,
  type AppendOptions,
  type EventStore,
  type EventToAppend,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../core/index.js';
import { matchesLocally, toEsdbEvent, toEsdbExpectedRevision, toRecordedEvent } from './mapping.js';
import { createEsdbSubscription } from './subscription.js';

export type EsdbEventStoreOptions = Readonly<{
  /** `esdb://host:2113?tls=false` */
  connectionString: string;
  logger?: Logger;
  checkpointInterval?: number;
  resubscribeDelayMs?: number;
}>;

/** readAll has no server-side filter in client 6.2.1: it pages through $all and filters here. */
const READ_ALL_PAGE = 500;

/**
 * The EventStore port over EventStoreDB / KurrentDB: a thin mapping onto
 * @eventstore/db-client. Positions are the server's own {commit, prepare}.
 */
export const createEsdbEventStore = (options: EsdbEventStoreOptions): EventStore => {
  const client = EventStoreDBClient.connectionString(options.connectionString);
  const subscriptions = new Set<Subscription>();

  const collect = async (read: AsyncIterable<ResolvedEvent>): Promise<RecordedEvent[]> => {
    const events: RecordedEvent[] = [];
    for await (const resolved of read) {
      const event = toRecordedEvent(resolved);
      if (event) events.push(event);
    }
    return events;
  };

  const readAllRaw = (from: Position | undefined, maxCount: number, backwards = false) =>
    collect(
      client.readAll({
        fromPosition: from ?? (backwards ? END : START),
        maxCount,
        direction: backwards ? BACKWARDS : FORWARDS,
      }),
    );

  const store: EventStore = {
    kind: 'esdb',

    async appendToStream(streamName: string, events: readonly EventToAppend[], { expectedRevision }: AppendOptions) {
      if (events.length === 0) throw new Error('appendToStream needs at least one event');
      try {
        const result = await client.appendToStream(streamName, events.map(toEsdbEvent), {
          expectedRevision: toEsdbExpectedRevision(expectedRevision),
        });
        if (!result.position) throw new Error(`EventStoreDB returned no position for an append to ${streamName}`);
        return { nextExpectedRevision: result.nextExpectedRevision, position: result.position };
      } catch (err) {
        if (err instanceof WrongExpectedVersionError) {
          throw new WrongExpectedRevisionError(streamName, expectedRevision, err.actualVersion);
        }
        throw err;
      }
    },

    async readStream(streamName: string, opts: ReadStreamOptions = {}) {
      const backwards = opts.direction === 'backwards';
      try {
        return await collect(
          client.readStream(streamName, {
            fromRevision: opts.fromRevision ?? (backwards ? END : START),
            direction: backwards ? BACKWARDS : FORWARDS,
            ...(opts.maxCount !== undefined && { maxCount: opts.maxCount }),
          }),
        );
      } catch (err) {
        if (err instanceof EsdbStreamNotFoundError) throw new StreamNotFoundError(streamName);
        throw err;
      }
    },

    async readAll(opts: ReadAllOptions = {}) {
      const wanted = opts.maxCount ?? DEFAULT_READ_ALL_COUNT;
      const out: RecordedEvent[] = [];
      let from = opts.fromPosition;
      for (;;) {
        // The server's fromPosition is inclusive; the port's is exclusive.
        const page = await readAllRaw(from, READ_ALL_PAGE + 1);
        const fresh = page.filter((e) => from === undefined || comparePositions(e.position, from) > 0);
        for (const event of fresh) {
          if (matchesLocally(event, opts.filter)) out.push(event);
          if (out.length === wanted) return out;
        }
        if (page.length < READ_ALL_PAGE + 1 || fresh.length === 0) return out;
        from = fresh[fresh.length - 1]!.position;
      }
    },

    subscribeToAll(opts: SubscribeOptions = {}) {
      const subscription = createEsdbSubscription({
        client,
        from: opts.fromPosition,
        filter: opts.filter,
        logger: options.logger,
        checkpointInterval: options.checkpointInterval ?? 1,
        retryDelayMs: options.resubscribeDelayMs ?? 500,
      });
      subscriptions.add(subscription);
      return {
        [Symbol.asyncIterator]: () => subscription[Symbol.asyncIterator](),
        close: async () => {
          subscriptions.delete(subscription);
          await subscription.close();
        },
      };
    },

    async headPosition() {
      // The newest event that is not the server's own.
      let from: Position | undefined;
      for (;;) {
        const page = await readAllRaw(from, 100, true);
        const ours = page.find((e) => matchesLocally(e, undefined));
        if (ours) return ours.position;
        if (page.length < 100) return undefined;
        from = page[page.length - 1]!.position;
      }
    },

    async ping() {
      await readAllRaw(undefined, 1, true);
    },

    async close() {
      await Promise.all([...subscriptions].map((s) => s.close()));
      await client.dispose();
    },
  };
  return store;
};
