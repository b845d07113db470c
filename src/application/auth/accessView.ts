import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Logger } from 'winston';
import type { Actor } from '../../domain/shared/index.js';
import { userDecider, userStreamName, type UserEvent, type UserState } from '../../domain/user/index.js';
import type { Database } from '../../db/index.js';
import type { EventStore, Position, RecordedEvent } from '../../eventstore/index.js';
import { accessPromise } from './accessPromise.js';

const USER_STREAM = userStreamName('');

export type AccessViewDeps = Readonly<{
  db: Kysely<Database>;
  /** The process's reader of the log (shared with its projections). */
  log: EventStore;
  logger: Logger;
  /** How long a promise in auth.access_views holds; renewed three times as often. */
  leaseMs?: number;
  /** After a failure of the log's subscription. */
  retryDelayMs?: number;
}>;

export type AccessView = Readonly<{
  /** What the view knows of the user, or undefined when it cannot say: the caller asks the user's stream. */
  actor: (userId: string) => Actor | 'inactive' | undefined;
  /** Its row in auth.access_views. */
  holder: string;
  /** A change this process made, folded from the user's stream: known here before the log brings it. */
  learn: (userId: string, state: UserState, revision: bigint) => void;
  start: () => void;
  stop: () => Promise<void>;
}>;

/**
 * Who each user is now (active or not, with which role), for this process's
 * authentication, kept by the log's subscription instead of a read of the
 * caller's stream on every request.
 *
 * A view may lag; a change of access must not. So the view answers only
 * while its row in auth.access_views holds (accessPromise): the row promises
 * that every answer reflects the log up to its `position`, and a user command
 * answers only once every row has promised its event (accessBarrier). When
 * the view cannot answer, `authenticate` reads the stream, as before.
 */
export const createAccessView = (deps: AccessViewDeps): AccessView => {
  const users = new Map<string, Readonly<{ state: UserState; revision: bigint }>>();
  /** Everything up to here is in `users`. */
  let position: Position | undefined;
  let stopped = false;
  let subscription: { close(): Promise<void> } | undefined;
  let reading: Promise<void> | undefined;
  const row = accessPromise({
    db: deps.db,
    logger: deps.logger,
    position: () => position,
    head: () => deps.log.headPosition(),
    leaseMs: deps.leaseMs ?? 3_000,
  });

  const apply = (event: RecordedEvent) => {
    if (!event.streamName.startsWith(USER_STREAM)) return false;
    const userId = event.streamName.slice(USER_STREAM.length);
    const known = users.get(userId);
    // Already learnt from this process's own command.
    if (known && known.revision >= event.revision) return true;
    const state = userDecider.evolve(known?.state ?? userDecider.initialState(), { type: event.type, data: event.data } as UserEvent);
    users.set(userId, { state, revision: event.revision });
    return true;
  };

  const read = async () => {
    while (!stopped) {
      try {
        const sub = deps.log.subscribeToAll(position ? { fromPosition: position } : {});
        subscription = sub;
        for await (const message of sub) {
          const changed = message.kind === 'event' ? apply(message.event) : false;
          const at = message.kind === 'event' ? message.event.position : message.position;
          if (at !== undefined) position = at;
          row.moved();
          // A change of a user is what a barrier waits for: promised at once, not at the next renewal.
          if (changed) row.changed();
        }
        if (!stopped) throw new Error('the log subscription ended');
      } catch (err) {
        if (stopped) return;
        deps.logger.error('access view failed; retrying', { holder: row.holder, err });
        await sleep(deps.retryDelayMs ?? 1_000);
      }
    }
  };

  return {
    holder: row.holder,
    learn: (userId, state, revision) => {
      const known = users.get(userId);
      if (!known || known.revision < revision) users.set(userId, { state, revision });
    },
    actor: (userId) => {
      if (!row.trusted()) return undefined;
      const state = users.get(userId)?.state;
      if (!state || state.status === 'unregistered') return undefined;
      return state.status === 'active' ? { id: userId, role: state.role } : 'inactive';
    },
    start: () => {
      reading = read();
      row.start();
    },
    stop: async () => {
      stopped = true;
      await row.stop();
      await subscription?.close();
      await reading;
    },
  };
};
