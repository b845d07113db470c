import { matchesFilter } from './filter.js';
import type { AllFilter, EventStore, Position, SubscribeOptions, Subscription, SubscriptionMessage } from './port.js';
import { comparePositions } from './position.js';

/** A subscriber of the shared reader: where it stands, what it takes, and what waits for it. */
type Reader = {
  /** The last position passed to it, delivered or filtered out. */
  after: Position | undefined;
  readonly filter: AllFilter | undefined;
  readonly queue: SubscriptionMessage[];
  /** Events filtered out since it last heard of a position. */
  skipped: number;
  wake: (() => void) | undefined;
  failure: { error: unknown } | undefined;
  closed: boolean;
};

type Source = { readonly subscription: Subscription; at: Position | undefined };

export type SharedLogOptions = Readonly<{
  /** A reader this far behind holds the shared reader back until it has taken half. */
  maxQueued?: number;
  /** A reader whose filter skipped this many events in a row hears where it stands (a `checkpoint`). */
  checkpointEvery?: number;
}>;

const before = (a: Position | undefined, b: Position | undefined): boolean =>
  b !== undefined && (a === undefined || comparePositions(a, b) < 0);

/**
 * One reader of the log for every subscriber of a process. Each projection
 * and process manager subscribed on its own, so one append woke a dozen
 * readers running the same page query; here one subscription reads each page
 * once and hands it to every subscriber in memory, filtering for each.
 *
 * The shared subscription starts where its first subscriber stands. One
 * that subscribes behind it (a restart, a rebuild) reads on a subscription of
 * its own until it has caught up, then joins: a rebuild of one read model
 * holds none of the others back. The shared subscription reads on only while
 * no subscriber has more than `maxQueued` messages waiting: the slowest one
 * sets the pace, as a backlog must not grow without bound. A failure of the shared subscription fails every subscriber, which
 * resubscribe as they would after any failure of the store.
 */
export const shareLogReader = (store: EventStore, options: SharedLogOptions = {}): EventStore => {
  const maxQueued = options.maxQueued ?? 2_000;
  const checkpointEvery = options.checkpointEvery ?? 1_000;
  const readers = new Set<Reader>();
  let source: Source | undefined;
  let resume: (() => void) | undefined;

  const push = (reader: Reader, message: SubscriptionMessage) => {
    reader.queue.push(message);
    reader.wake?.();
  };
  const unblock = () => {
    const go = resume;
    resume = undefined;
    go?.();
  };
  const deliver = (message: SubscriptionMessage) => {
    for (const r of readers) {
      if (message.kind === 'event') {
        if (!before(r.after, message.event.position)) continue;
        r.after = message.event.position;
        if (matchesFilter(message.event, r.filter)) {
          r.skipped = 0;
          push(r, message);
        } else if (++r.skipped >= checkpointEvery) {
          r.skipped = 0;
          push(r, { kind: 'checkpoint', position: r.after });
        }
      } else if (message.kind === 'checkpoint') {
        if (!before(r.after, message.position)) continue;
        r.after = message.position;
        r.skipped = 0;
        push(r, message);
      } else {
        if (before(r.after, message.position)) r.after = message.position;
        r.skipped = 0;
        push(r, { kind: 'caughtUp', position: r.after });
      }
    }
  };

  const pump = async (current: Source) => {
    const iterator = current.subscription[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await iterator.next();
        if (source !== current || next.done) return;
        const message = next.value;
        current.at = message.kind === 'event' ? message.event.position : (message.position ?? current.at);
        deliver(message);
        while (source === current && [...readers].some((r) => r.queue.length >= maxQueued)) {
          await new Promise<void>((resolve) => (resume = resolve));
        }
      }
    } catch (error) {
      if (source !== current) return;
      source = undefined;
      for (const r of readers) {
        r.failure = { error };
        r.wake?.();
      }
      readers.clear();
      await current.subscription.close().catch(() => undefined);
    }
  };

  const start = (from: Position | undefined) => {
    const current: Source = { subscription: store.subscribeToAll(from ? { fromPosition: from } : {}), at: from };
    source = current;
    void pump(current);
  };
  const stop = async () => {
    const old = source;
    source = undefined;
    unblock();
    await old?.subscription.close();
  };

  const subscribe = (opts: SubscribeOptions = {}): Subscription => {
    const reader: Reader = { after: opts.fromPosition, filter: opts.filter, queue: [], skipped: 0, wake: undefined, failure: undefined, closed: false };
    /** Takes the reader into the shared subscription, unless that has gone past where the reader stands. */
    const join = (): boolean => {
      if (source && before(reader.after, source.at)) return false;
      readers.add(reader);
      if (!source) start(reader.after);
      return true;
    };
    // Behind the shared reader (a rebuild, a restart): its own subscription until it has caught up, so that nobody waits for it.
    let own = join() ? undefined : store.subscribeToAll({ ...(reader.after && { fromPosition: reader.after }), ...(reader.filter && { filter: reader.filter }) });

    async function* messages(): AsyncGenerator<SubscriptionMessage> {
      if (own) {
        for await (const message of own) {
          if (message.kind === 'event') reader.after = message.event.position;
          else if (before(reader.after, message.position)) reader.after = message.position;
          yield message;
          if (message.kind === 'caughtUp' && !reader.closed && join()) break;
        }
        await own.close();
        own = undefined;
      }
      for (;;) {
        const message = reader.queue.shift();
        if (message) {
          if (reader.queue.length < maxQueued / 2) unblock();
          yield message;
          continue;
        }
        if (reader.failure) throw reader.failure.error;
        if (reader.closed) return;
        await new Promise<void>((resolve) => (reader.wake = resolve));
        reader.wake = undefined;
      }
    }
    const iterator = messages();
    return {
      [Symbol.asyncIterator]: () => iterator,
      async close() {
        if (reader.closed) return;
        reader.closed = true;
        reader.queue.length = 0;
        readers.delete(reader);
        reader.wake?.();
        unblock();
        await own?.close();
        if (readers.size === 0) await stop();
        await iterator.return(undefined);
      },
    };
  };

  return {
    kind: store.kind,
    appendToStream: (streamName, events, appendOptions) => store.appendToStream(streamName, events, appendOptions),
    readStream: (streamName, readOptions) => store.readStream(streamName, readOptions),
    readAll: (readOptions) => store.readAll(readOptions),
    subscribeToAll: subscribe,
    headPosition: () => store.headPosition(),
    ping: () => store.ping(),
    close: async () => {
      await stop();
      await store.close();
    },
    ...(store.batch && { batch: store.batch }),
  };
};
