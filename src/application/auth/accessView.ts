import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'winston';
import type { Actor } from '../../domain/shared/index.js';
import { userDecider, userStreamName, type UserEvent, type UserState } from '../../domain/user/index.js';
import type { Database } from '../../db/index.js';
import { formatPosition, hasReached, type EventStore, type Position, type RecordedEvent } from '../../eventstore/index.js';

const TABLE = 'auth.access_views';
const USER_STREAM = userStreamName('');
/** Between two acknowledgements of changes: the longest a burst of them waits for its position to be written. */
const ACK_GAP_MS = 5;

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
 * while its row in auth.access_views holds: the row promises that every
 * answer reflects the log up to its `position`, and a user command answers
 * only once every row has promised its event (accessBarrier). The process
 * stops trusting the view a margin before the row expires, in its own
 * monotonic time measured from before the write that set the expiry. After
 * registering (or after being fenced for lagging), the row promises the log's
 * head as read then, and the view answers nothing until it has caught up with
 * it. When the view cannot answer, `authenticate` reads the stream, as before.
 */
export const createAccessView = (deps: AccessViewDeps): AccessView => {
  const leaseMs = deps.leaseMs ?? 3_000;
  const margin = Math.max(250, leaseMs / 10);
  const holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const users = new Map<string, Readonly<{ state: UserState; revision: bigint }>>();
  /** Everything up to here is in `users`. */
  let position: Position | undefined;
  /** The row exists and is not fenced. */
  let registered = false;
  /** What the row promised when it was (re)registered: the view answers once it has reached it. */
  let mustReach: Position | undefined | 'unread' = 'unread';
  let current = false;
  /** performance.now() before which the row's promise holds. */
  let trustedUntil = 0;
  let stopped = false;
  let subscription: { close(): Promise<void> } | undefined;
  let renewals: NodeJS.Timeout | undefined;
  let writing: Promise<void> | undefined;
  let renewDue = false;
  let ackDue = false;
  let reading: Promise<void> | undefined;

  const catchUp = () => {
    if (!current && mustReach !== 'unread' && (mustReach === undefined || hasReached(position, mustReach))) current = true;
  };
  /** The row's promise: the view's position once current; until then, the head it must reach. */
  const promise = () => {
    const at = current || mustReach === 'unread' ? position : mustReach;
    return at === undefined ? null : formatPosition(at);
  };
  const expiry = sql<Date>`clock_timestamp() + make_interval(secs => ${leaseMs / 1000}::float8)`;

  const register = async (sent: number) => {
    current = false;
    mustReach = 'unread';
    await deps.db
      .insertInto(TABLE)
      .values({ holder, position: null, expires_at: expiry, fenced: false })
      .onConflict((oc) => oc.column('holder').doUpdateSet({ position: null, expires_at: expiry, fenced: false }))
      .execute();
    registered = true;
    // Read after the row exists: a change committed before this read is in the head; one after, the barrier sees this row for.
    mustReach = await deps.log.headPosition();
    catchUp();
    await deps.db.updateTable(TABLE).set({ position: promise() }).where('holder', '=', holder).where('fenced', '=', false).execute();
    trustedUntil = sent + leaseMs - margin;
  };

  const renew = async () => {
    const sent = performance.now();
    // A registration cut short (the head unread) is done again.
    if (registered && mustReach !== 'unread') {
      const renewed = await deps.db
        .updateTable(TABLE)
        .set({ position: promise(), expires_at: expiry })
        .where('holder', '=', holder)
        .where('fenced', '=', false)
        .executeTakeFirst();
      if (renewed.numUpdatedRows > 0n) {
        trustedUntil = sent + leaseMs - margin;
        return;
      }
      // Fenced by a change that did not hear from this view in time.
      trustedUntil = 0;
      registered = false;
      deps.logger.warn('access view fenced: authenticating from the users’ streams until it has caught up', { holder });
    }
    await register(sent);
  };

  /**
   * Hands the view's position to waiting changes, without touching the
   * lease. Not flushed to disk before it answers: a promise the database
   * forgets in a crash was still kept by this process, and the lease, which
   * is flushed, never outlives what the database remembers.
   */
  const ack = async () => {
    await deps.db
      .updateTable(TABLE)
      .from(sql<{ setting: string }>`(select set_config('synchronous_commit', 'off', true) as setting)`.as('local'))
      .set({ position: promise() })
      .where('holder', '=', holder)
      .where('fenced', '=', false)
      .execute();
  };

  /**
   * One write at a time. The lease is renewed on a timer; a change of a user
   * is acknowledged as soon as the write before it is done and ACK_GAP_MS has
   * passed, with the position of then, so a burst of changes costs a few
   * writes, not one each.
   */
  const write = (what: 'renew' | 'ack') => {
    if (stopped) return;
    if (what === 'renew') renewDue = true;
    else ackDue = true;
    writing ??= (async () => {
      while ((renewDue || ackDue) && !stopped) {
        const renewing = renewDue;
        renewDue = false;
        ackDue = false;
        try {
          if (renewing || !registered) await renew();
          else {
            await ack();
            await sleep(ACK_GAP_MS);
          }
        } catch (err) {
          trustedUntil = 0;
          deps.logger.warn('access view could not write its promise', { holder, err });
        }
      }
    })().finally(() => (writing = undefined));
  };

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
          catchUp();
          // A change of a user is what a barrier waits for: promised at once, not at the next renewal.
          if (changed) write('ack');
        }
        if (!stopped) throw new Error('the log subscription ended');
      } catch (err) {
        if (stopped) return;
        deps.logger.error('access view failed; retrying', { holder, err });
        await sleep(deps.retryDelayMs ?? 1_000);
      }
    }
  };

  return {
    holder,
    learn: (userId, state, revision) => {
      const known = users.get(userId);
      if (!known || known.revision < revision) users.set(userId, { state, revision });
    },
    actor: (userId) => {
      if (!current || performance.now() >= trustedUntil) return undefined;
      const state = users.get(userId)?.state;
      if (!state || state.status === 'unregistered') return undefined;
      return state.status === 'active' ? { id: userId, role: state.role } : 'inactive';
    },
    start: () => {
      reading = read();
      write('renew');
      renewals = setInterval(() => write('renew'), leaseMs / 3);
      renewals.unref();
    },
    stop: async () => {
      stopped = true;
      trustedUntil = 0;
      clearInterval(renewals);
      await subscription?.close();
      await reading;
      await writing;
      await deps.db.deleteFrom(TABLE).where('holder', '=', holder).execute();
    },
  };
};
