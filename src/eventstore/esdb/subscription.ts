import { setTimeout as sleep } from 'node:timers/promises';
import { START, type AllStreamResolvedEvent, type EventStoreDBClient } from '@eventstore/db-client';
import type { Logger } from 'winston';
import { comparePositions } from '../core/index.js';
import type { AllFilter, Position, Subscription, SubscriptionMessage } from '../core/index.js';
import { matchesLocally, toRecordedEvent, toServerFilter } from './mapping.js';

type Options = Readonly<{
  client: EventStoreDBClient;
  from: Position | undefined;
  filter: AllFilter | undefined;
  logger: Logger | undefined;
  /** Filtered events the server scans between two checkpoints, in multiples of 32. */
  checkpointInterval: number;
  retryDelayMs: number;
}>;

/** Pushed into the client's stream, so that it arrives in order with the events around it. */
class Marker {
  constructor(readonly message: Extract<SubscriptionMessage, { kind: 'caughtUp' | 'checkpoint' }>) {}
}

/** A server that stays away is retried at most this far apart. */
const MAX_RETRY_DELAY_MS = 10_000;

const isAfter = (position: Position, after: Position | undefined) =>
  after === undefined || comparePositions(position, after) > 0;

/**
 * subscribeToAll over EventStoreDB. The client reports caught-up and filter
 * checkpoints outside its stream of events; both are pushed into that stream
 * as markers from inside its own transform, so they keep their place in the
 * order. When the server drops the connection the subscription resumes after
 * the last position it delivered, skipping anything it already delivered.
 */
export const createEsdbSubscription = (options: Options): Subscription => {
  const abort = new AbortController();
  let current: ReturnType<EventStoreDBClient['subscribeToAll']> | undefined;

  async function* messages(): AsyncGenerator<SubscriptionMessage> {
    let after = options.from;
    let delay = options.retryDelayMs;
    while (!abort.signal.aborted) {
      const subscription = options.client.subscribeToAll({
        fromPosition: after ?? START,
        filter: toServerFilter(
          options.filter,
          (position) => void subscription.push(new Marker({ kind: 'checkpoint', position })),
          options.checkpointInterval,
        ),
      });
      current = subscription;
      subscription.on('caughtUp', () => subscription.push(new Marker({ kind: 'caughtUp', position: after })));
      try {
        for await (const item of subscription as AsyncIterable<AllStreamResolvedEvent | Marker>) {
          delay = options.retryDelayMs;
          if (item instanceof Marker) {
            if (item.message.kind === 'caughtUp') {
              yield { kind: 'caughtUp', position: after };
            } else if (isAfter(item.message.position, after)) {
              after = item.message.position;
              yield item.message;
            }
            continue;
          }
          const event = toRecordedEvent(item);
          if (!event || !isAfter(event.position, after)) continue;
          after = event.position;
          if (matchesLocally(event, options.filter)) yield { kind: 'event', event };
        }
      } catch (err) {
        if (abort.signal.aborted) return;
        options.logger?.warn('EventStoreDB subscription dropped; resubscribing', {
          err: err instanceof Error ? err.message : String(err),
        });
      } finally {
        await subscription.unsubscribe().catch(() => undefined);
        subscription.destroy();
      }
      await sleep(delay, undefined, { signal: abort.signal }).catch(() => undefined);
      delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS);
    }
  }

  const iterator = messages();
  return {
    [Symbol.asyncIterator]: () => iterator,
    async close() {
      if (abort.signal.aborted) return;
      abort.abort();
      current?.destroy();
      await iterator.return(undefined);
    },
  };
};
