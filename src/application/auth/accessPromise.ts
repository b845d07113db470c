import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'winston';
import type { Database } from '../../db/index.js';
import { formatPosition, hasReached, type Position } from '../../eventstore/index.js';
import { leaseHolderId } from '../../scheduler/runtime/index.js';
import { ACCESS_VIEWS, ROW_SET_FRESH_MS } from './accessBarrier.js';

/** Between two acknowledgements of changes: the longest a burst of them waits for its position to be written. */
const ACK_GAP_MS = 5;
/**
 * A row registers, then waits this long before reading the head it must
 * reach: longer than a barrier trusts its last look at the rows, so no
 * change committed before that read was decided without this row.
 */
const SETTLE_MS = 2 * ROW_SET_FRESH_MS;

export type AccessPromiseDeps = Readonly<{
  db: Kysely<Database>;
  logger: Logger;
  /** Where the view stands: everything up to it is in its answers. */
  position: () => Position | undefined;
  /** The log's head, read once a registration has settled. */
  head: () => Promise<Position | undefined>;
  leaseMs: number;
}>;

type Phase = 'unregistered' | 'settling' | 'registered';

/**
 * A view's row in auth.access_views: what it promises, and whether it may
 * answer now (see createAccessView).
 *
 * The row's `position` is a promise that no answer the view gives misses
 * an event before it. Any position the view has reached is such a promise,
 * since the view only moves forwards and answers only once caught up. The
 * lease (`expires_at`, in the database's time) is renewed on a timer; the
 * process stops trusting the view a margin before the lease it last wrote
 * ends, timed from before that write on its own monotonic clock. Registering
 * (at start, or after being fenced) the view answers nothing until the row
 * has settled and the view has reached the log's head as read then.
 */
export const accessPromise = (deps: AccessPromiseDeps) => {
  const margin = Math.max(250, deps.leaseMs / 10);
  const holder = leaseHolderId();
  let phase: Phase = 'unregistered';
  let registeredAt = 0;
  /** The head read once the row settled; undefined: the log was empty. */
  let mustReach: Position | undefined | 'unread' = 'unread';
  let caughtUp = false;
  let trustedUntil = 0;
  let stopped = false;
  let writing: Promise<void> | undefined;
  let renewDue = false;
  let ackDue = false;
  let settleTimer: NodeJS.Timeout | undefined;

  const promise = () => {
    const at = deps.position();
    const reach = mustReach === 'unread' ? undefined : mustReach;
    const furthest = reach === undefined || hasReached(at, reach) ? at : reach;
    return furthest === undefined ? null : formatPosition(furthest);
  };
  const expiry = sql<Date>`clock_timestamp() + make_interval(secs => ${deps.leaseMs / 1000}::float8)`;

  /** Whether the view may answer now. */
  const trusted = (): boolean => caughtUp && phase === 'registered' && performance.now() < trustedUntil;

  /** The view moved: it may have reached the head its registration read. */
  const moved = () => {
    if (caughtUp || phase !== 'registered' || mustReach === 'unread') return;
    if (mustReach === undefined || hasReached(deps.position(), mustReach)) {
      caughtUp = true;
      deps.logger.info('access view answering', { holder });
    }
  };

  const register = async (sent: number) => {
    phase = 'unregistered';
    mustReach = 'unread';
    caughtUp = false;
    const row = { position: promise(), expires_at: expiry, fenced: false };
    await deps.db
      .insertInto(ACCESS_VIEWS)
      .values({ holder, ...row })
      .onConflict((oc) => oc.column('holder').doUpdateSet(row))
      .execute();
    phase = 'settling';
    registeredAt = performance.now();
    trustedUntil = sent + deps.leaseMs - margin;
    clearTimeout(settleTimer);
    settleTimer = setTimeout(() => write('renew'), SETTLE_MS).unref();
  };

  const renew = async () => {
    const sent = performance.now();
    if (phase !== 'unregistered') {
      const renewed = await deps.db
        .updateTable(ACCESS_VIEWS)
        .set({ position: promise(), expires_at: expiry })
        .where('holder', '=', holder)
        .where('fenced', '=', false)
        // A lapsed lease is not taken up again: barriers have stopped waiting for this row.
        .where('expires_at', '>', sql<Date>`clock_timestamp()`)
        .executeTakeFirst();
      if (renewed.numUpdatedRows > 0n) {
        trustedUntil = sent + deps.leaseMs - margin;
        if (phase === 'settling' && sent - registeredAt >= SETTLE_MS) {
          mustReach = await deps.head();
          phase = 'registered';
          moved();
        }
        return;
      }
      trustedUntil = 0;
      deps.logger.warn('access view fenced, or its lease lapsed: authenticating from the users’ streams until it has caught up again', { holder });
    }
    await register(sent);
  };

  /** The view's position for waiting changes; the lease untouched, so no flush to disk is waited for (a lost one was still kept). */
  const ack = async () => {
    await deps.db
      .updateTable(ACCESS_VIEWS)
      .from(sql<{ setting: string }>`(select set_config('synchronous_commit', 'off', true) as setting)`.as('local'))
      .set({ position: promise() })
      .where('holder', '=', holder)
      .where('fenced', '=', false)
      .execute();
  };

  /** One write at a time: a burst of changes costs a write every ACK_GAP_MS, with the position of then. */
  const write = (what: 'renew' | 'ack') => {
    if (stopped) return;
    if (what === 'renew') renewDue = true;
    else ackDue = true;
    writing ??= (async () => {
      while ((renewDue || ackDue) && !stopped) {
        const renewing = renewDue || phase === 'unregistered';
        renewDue = false;
        ackDue = false;
        try {
          if (renewing) await renew();
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

  let renewals: NodeJS.Timeout | undefined;
  return {
    holder,
    trusted,
    moved,
    /** The view applied a change of a user: a barrier may be waiting for it. */
    changed: () => write('ack'),
    start: () => {
      write('renew');
      renewals = setInterval(() => write('renew'), deps.leaseMs / 3);
      renewals.unref();
    },
    stop: async () => {
      stopped = true;
      trustedUntil = 0;
      clearInterval(renewals);
      clearTimeout(settleTimer);
      await writing;
      await deps.db.deleteFrom(ACCESS_VIEWS).where('holder', '=', holder).execute();
    },
  };
};
