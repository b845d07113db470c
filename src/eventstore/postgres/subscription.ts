import type pg from 'pg';
import { comparePositions } from '../core/index.js';
import type { AllFilter, Position, Subscription, SubscriptionMessage } from '../core/index.js';
import { readPage } from './readPage.js';
import type { Wakeups } from './wakeups.js';

type Options = Readonly<{
  pool: pg.Pool;
  wakeups: Wakeups;
  from: Position | undefined;
  filter: AllFilter | undefined;
  batchSize: number;
  pollIntervalMs: number;
  /**
   * While live, page reads start at least this far apart. Under a stream of
   * appends each subscriber then reads (and its consumer writes) a batch every
   * few milliseconds instead of one transaction per append; after a quiet
   * spell the first read is not delayed at all.
   */
  minReadIntervalMs: number;
  onClose: () => void;
}>;

/**
 * Held-back events become visible when an older transaction ends. An append
 * ending wakes us; any other transaction (a checkpoint, a write elsewhere in the
 * database) does not, so we also look again after 2, 4, … 50 ms, from 2 ms again
 * whenever the last look made progress.
 */
const HELD_BACK_RETRY_MS = { first: 2, max: 50 } as const;

export const createPostgresSubscription = (options: Options): Subscription => {
  let closed = false;
  const abort = new AbortController();
  let lastReadAt = 0;

  const spaceReads = () => {
    const due = lastReadAt + options.minReadIntervalMs - performance.now();
    if (due <= 0 || closed) return undefined;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, due);
      function done() {
        clearTimeout(timer);
        abort.signal.removeEventListener('abort', done);
        resolve();
      }
      abort.signal.addEventListener('abort', done, { once: true });
    });
  };

  async function* messages(): AsyncGenerator<SubscriptionMessage> {
    let after = options.from;
    let afterLastWait = after;
    let heldBackDelay: number = HELD_BACK_RETRY_MS.first;
    while (!closed) {
      // Read before the page: a wake-up from here on ends the next wait at once.
      const generation = options.wakeups.generation;
      lastReadAt = performance.now();
      const page = await readPage(options.pool, after, options.batchSize, options.filter);
      for (const event of page.events) {
        after = event.position;
        yield { kind: 'event', event };
      }
      if (page.events.length === options.batchSize) continue;

      // Same snapshot as the page: nothing visible lies between `after` and the head.
      if (page.head && (!after || comparePositions(page.head, after) > 0)) after = page.head;
      yield { kind: 'caughtUp', position: after };
      if (closed) return;
      // Events delivered or the horizon moved since the last wait.
      const progressed = after !== afterLastWait;
      afterLastWait = after;
      if (page.heldBack) {
        if (progressed) heldBackDelay = HELD_BACK_RETRY_MS.first;
        await options.wakeups.wait(generation, heldBackDelay, abort.signal);
        heldBackDelay = Math.min(heldBackDelay * 2, HELD_BACK_RETRY_MS.max);
      } else {
        heldBackDelay = HELD_BACK_RETRY_MS.first;
        await options.wakeups.wait(generation, options.pollIntervalMs, abort.signal);
      }
      await spaceReads();
    }
  }

  const iterator = messages();
  return {
    [Symbol.asyncIterator]: () => iterator,
    async close() {
      if (closed) return;
      closed = true;
      abort.abort();
      options.onClose();
      await iterator.return(undefined);
    },
  };
};
