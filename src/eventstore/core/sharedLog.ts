import { matchesFilter } from './filter.js';
import type { AllFilter, EventStore, Position, SubscribeOptions, Subscription, SubscriptionMessage } from './port.js';
import { hasReached } from './position.js';

/** A subscriber: where it stands, what it takes, and what waits for it. */
type Reader = {
  /** The last position passed to it, delivered or filtered out. */
  after: Position | undefined;
  readonly filter: AllFilter | undefined;
  readonly queue: SubscriptionMessage[];
  /** Events filtered out since it last heard of a position. */
  skipped: number;
  /** On the shared subscription; otherwise reading on its own (catching up, or let go for being slow). */
  shared: boolean;
  wake: (() => void) | undefined;
  failure: { error: unknown } | undefined;
  closed: boolean;
};

type Source = { readonly subscription: Subscription; at: Position | undefined };

export type SharedLogOptions = Readonly<{
  /** A subscriber with this many messages waiting is let go, to read on its own until it has caught up again. */
  maxQueued?: number;
  /** A subscriber whose filter skipped this many events in a row hears where it stands (a `checkpoint`). */
  checkpointEvery?: number;
}>;

/** `a` has not reached `b`: events up to `b` are still to come for a reader at `a`. */
const before = (a: Position | undefined, b: Position | undefined): boolean => b !== undefined && !hasReached(a, b);

/** A position message replaces the one waiting last: an idle subscriber that reads slowly does not pile them up. */
const isPosition = (m: SubscriptionMessage | undefined) => m !== undefined && m.kind !== 'event';

/**
 * One reader of the log for every subscriber of a process. Each projection
 * and process manager subscribed on its own, so one append woke a dozen
 * readers running the same page query; here one subscription reads each page
 * once and hands it to every live subscriber in memory, filtering for each.
 *
 * A subscriber starts on a subscription of its own and joins the shared one
 * once it has caught up with the log, so one far behind (a new read model, a
 * rebuild) holds nobody back. The shared one never waits for anybody either:
 * a subscriber that lets `maxQueued` messages wait is let go, takes what it
 * has, and reads on its own again until it has caught up. A failure or end
 * of the shared subscription fails the subscribers on it, which resubscribe
 * as they would after any failure of the store.
 */
export const shareLogReader = (store: EventStore, options: SharedLogOptions = {}): EventStore => {
  const maxQueued = options.maxQueued ?? 2_000;
  const checkpointEvery = options.checkpointEvery ?? 1_000;
  const readers = new Set<Reader>();
  let source: Source | undefined;

  const push = (r: Reader, message: SubscriptionMessage) => {
    if (isPosition(message) && isPosition(r.queue.at(-1))) r.queue[r.queue.length - 1] = message;
    else r.queue.push(message);
    if (r.queue.length >= maxQueued) {
      // Its queue holds everything up to `after`: reading on its own from there, it misses nothing.
      r.shared = false;
      readers.delete(r);
    }
    r.wake?.();
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

  const fail = (current: Source, error: unknown) => {
    if (source !== current) return;
    source = undefined;
    for (const r of readers) {
      r.failure = { error };
      r.wake?.();
    }
    readers.clear();
    void current.subscription.close().catch(() => undefined);
  };
  const pump = async (current: Source) => {
    const iterator = current.subscription[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await iterator.next();
        if (source !== current) return;
        if (next.done) return fail(current, new Error('the shared subscription to the log ended'));
        const message = next.value;
        current.at = message.kind === 'event' ? message.event.position : (message.position ?? current.at);
        deliver(message);
      }
    } catch (error) {
      fail(current, error);
    }
  };
  const stop = async () => {
    const old = source;
    source = undefined;
    await old?.subscription.close();
  };

  /** Onto the shared subscription (starting it there if there is none), unless it has gone past `r`. */
  const join = (r: Reader): boolean => {
    if (source && before(r.after, source.at)) return false;
    r.shared = true;
    readers.add(r);
    if (!source) {
      const current: Source = { subscription: store.subscribeToAll(r.after ? { fromPosition: r.after } : {}), at: r.after };
      source = current;
      void pump(current);
    }
    return true;
  };

  const subscribe = (opts: SubscribeOptions = {}): Subscription => {
    const reader: Reader = {
      after: opts.fromPosition,
      filter: opts.filter,
      queue: [],
      skipped: 0,
      shared: false,
      wake: undefined,
      failure: undefined,
      closed: false,
    };
    let own: Subscription | undefined;

    /** On its own from where it stands; after its first caught-up, it tries to join after every message. */
    async function* alone(): AsyncGenerator<SubscriptionMessage> {
      own = store.subscribeToAll({ ...(reader.after && { fromPosition: reader.after }), ...(reader.filter && { filter: reader.filter }) });
      let caughtUp = false;
      try {
        for await (const message of own) {
          if (message.kind === 'event') reader.after = message.event.position;
          else if (before(reader.after, message.position)) reader.after = message.position;
          yield message;
          caughtUp ||= message.kind === 'caughtUp';
          if (reader.closed || (caughtUp && join(reader))) return;
        }
        // Ended by itself, not closed: a failure to its consumer, never a loop of resubscribing.
        if (!reader.closed) throw new Error('the subscription to the log ended');
      } finally {
        const ending = own;
        own = undefined;
        await ending?.close();
      }
    }

    async function* messages(): AsyncGenerator<SubscriptionMessage> {
      try {
        for (;;) {
          if (!reader.shared && reader.queue.length === 0 && !reader.failure) {
            yield* alone();
            if (reader.closed) return;
            continue;
          }
          const message = reader.queue.shift();
          if (message) {
            yield message;
            continue;
          }
          if (reader.failure) throw reader.failure.error;
          if (reader.closed) return;
          await new Promise<void>((resolve) => (reader.wake = resolve));
          reader.wake = undefined;
        }
      } finally {
        // However it ends (closed, failed, or its consumer stopped iterating), it takes no more.
        reader.closed = true;
        readers.delete(reader);
        reader.queue.length = 0;
        if (readers.size === 0 && source) await stop();
      }
    }
    const iterator = messages();
    return {
      [Symbol.asyncIterator]: () => iterator,
      async close() {
        if (reader.closed) return;
        reader.closed = true;
        readers.delete(reader);
        reader.wake?.();
        await own?.close();
        await iterator.return(undefined);
        if (readers.size === 0) await stop();
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
