import type pg from 'pg';
import { comparePositions } from '../position.js';
import type { AllFilter, Position, Subscription, SubscriptionMessage } from '../port.js';
import { readPage } from './readPage.js';
import type { Wakeups } from './wakeups.js';

type Options = Readonly<{
  pool: pg.Pool;
  wakeups: Wakeups;
  from: Position | undefined;
  filter: AllFilter | undefined;
  batchSize: number;
  pollIntervalMs: number;
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

  async function* messages(): AsyncGenerator<SubscriptionMessage> {
    let after = options.from;
    let afterLastWait = after;
    let heldBackDelay: number = HELD_BACK_RETRY_MS.first;
    while (!closed) {
      // Read before the page: a wake-up from here on ends the next wait at once.
      const generation = options.wakeups.generation;
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
