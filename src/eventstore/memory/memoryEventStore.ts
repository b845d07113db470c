import { wallClock } from '../../clock/index.js';
import { EventEmitter } from 'node:events';
import { actualMatches, StreamNotFoundError, WrongExpectedRevisionError } from '../core/index.js';
import { retriedAppendResult } from '../core/index.js';
import { comparePositions, matchesFilter } from '../core/index.js';
import {
  DEFAULT_READ_ALL_COUNT,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionMessage,
} from '../core/index.js';

/**
 * For domain unit tests only. Appends are synchronous, so the race the
 * PostgreSQL store must survive cannot happen here.
 */
export const createMemoryEventStore = (options: { now?: () => Date } = {}): EventStore => {
  const now = options.now ?? wallClock.now;
  const all: RecordedEvent[] = [];
  const streams = new Map<string, RecordedEvent[]>();
  const byId = new Map<string, RecordedEvent>();
  const appended = new EventEmitter();
  appended.setMaxListeners(0);

  const afterIndex = (from: Position | undefined): number =>
    from === undefined ? 0 : all.findIndex((e) => comparePositions(e.position, from) > 0);

  const readAllSync = (opts: ReadAllOptions = {}): RecordedEvent[] => {
    const start = afterIndex(opts.fromPosition);
    if (start < 0) return [];
    const out: RecordedEvent[] = [];
    for (let i = start; i < all.length && out.length < (opts.maxCount ?? DEFAULT_READ_ALL_COUNT); i++) {
      const event = all[i]!;
      if (matchesFilter(event, opts.filter)) out.push(event);
    }
    return out;
  };

  const store: EventStore = {
    kind: 'memory',

    async appendToStream(streamName: string, events: readonly EventToAppend[], { expectedRevision }: AppendOptions): Promise<AppendResult> {
      if (events.length === 0) throw new Error('appendToStream needs at least one event');
      const retried = retriedAppendResult(
        streamName,
        events,
        events.flatMap((e) => byId.get(e.eventId) ?? []),
      );
      if (retried) return retried;

      const stream = streams.get(streamName) ?? [];
      const actual = stream.length === 0 ? 'no_stream' : BigInt(stream.length - 1);
      if (!actualMatches(expectedRevision, actual)) {
        throw new WrongExpectedRevisionError(streamName, expectedRevision, actual);
      }
      const recordedAt = now();
      const recorded = events.map((e, i): RecordedEvent => {
        const seq = BigInt(all.length + i + 1);
        return {
          eventId: e.eventId,
          type: e.type,
          data: structuredClone(e.data),
          metadata: e.metadata,
          streamName,
          revision: BigInt(stream.length + i),
          position: { commit: seq, prepare: seq },
          recordedAt,
        };
      });
      for (const e of recorded) {
        all.push(e);
        byId.set(e.eventId, e);
      }
      streams.set(streamName, [...stream, ...recorded]);
      appended.emit('appended');
      const last = recorded[recorded.length - 1]!;
      return { nextExpectedRevision: last.revision, position: last.position };
    },

    async readStream(streamName: string, opts: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
      const stream = streams.get(streamName);
      if (!stream) throw new StreamNotFoundError(streamName);
      const max = opts.maxCount ?? Infinity;
      if (opts.direction === 'backwards') {
        const from = opts.fromRevision ?? BigInt(stream.length - 1);
        return stream.filter((e) => e.revision <= from).reverse().slice(0, max);
      }
      const from = opts.fromRevision ?? 0n;
      return stream.filter((e) => e.revision >= from).slice(0, max);
    },

    async readAll(opts?: ReadAllOptions) {
      return readAllSync(opts);
    },

    subscribeToAll(opts: SubscribeOptions = {}): Subscription {
      let closed = false;
      let wake: (() => void) | undefined;
      const onAppended = () => wake?.();
      appended.on('appended', onAppended);
      async function* messages(): AsyncGenerator<SubscriptionMessage> {
        let after = opts.fromPosition;
        while (!closed) {
          const start = afterIndex(after);
          const page = start < 0 ? [] : all.slice(start);
          for (const event of page) {
            after = event.position;
            if (matchesFilter(event, opts.filter)) yield { kind: 'event', event };
          }
          yield { kind: 'caughtUp', position: after };
          if (closed) return;
          await new Promise<void>((resolve) => {
            wake = resolve;
            if (afterIndex(after) >= 0 || closed) resolve();
          });
        }
      }
      const iterator = messages();
      return {
        [Symbol.asyncIterator]: () => iterator,
        async close() {
          closed = true;
          wake?.();
          appended.off('appended', onAppended);
          await iterator.return(undefined);
        },
      };
    },

    async headPosition() {
      return all[all.length - 1]?.position;
    },
    async ping() {},
    async close() {
      appended.removeAllListeners();
    },
  };
  return store;
};
