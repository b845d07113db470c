import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import type { UserState } from '../../domain/user/index.js';
import type { AccessChange } from '../user/index.js';
import { hasReached, parsePosition, type Position } from '../../eventstore/index.js';

/** The views' rows: written by accessPromise, read and fenced here. */
export const ACCESS_VIEWS = 'auth.access_views';
/**
 * A barrier trusts its last look at the rows for this long: a row
 * registered since then has not yet read the head it will answer from
 * (accessPromise waits twice this long first), so that head will hold any
 * change decided on the older look.
 */
export const ROW_SET_FRESH_MS = 1_000;

export type AccessBarrierOptions = Readonly<{
  /** A view that has not promised the change by then is fenced, and outwaited. */
  ackWaitMs?: number;
}>;

/**
 * Resolves once no API process can answer from a view of users older than
 * `position`; the view of `except` (this process's, which learnt the change
 * as it was made) is not waited for.
 */
export type AccessBarrier = (position: Position, except?: string) => Promise<void>;

const promised = (row: { position: string | null; fenced: boolean }, position: Position) =>
  !row.fenced && row.position !== null && hasReached(parsePosition(row.position), position);

/**
 * What makes a change of who may call take effect at once in every process
 * (see accessView). Each API process's row promises that no answer it gives
 * misses anything before its `position`, until `expires_at`, a time of this
 * database which the process stops trusting its view before. So once every
 * live row that is not fenced has promised `position`, and every fenced one
 * has expired, a request that reaches any process is checked against the
 * change.
 *
 * A view that does not promise it within `ackWaitMs` (a process stopped, or
 * its reader stuck) is fenced: its next renewal fails, and it answers from the
 * users' streams again until it has caught up with the log as it was then.
 * The barrier then waits out the lease it holds, a few seconds at most.
 */
export const accessBarrier = (db: Kysely<Database>, options: AccessBarrierOptions = {}): AccessBarrier => {
  /** The holders of live rows at the last look, and when (before) it was taken. */
  let seen: Readonly<{ at: number; holders: readonly string[] }> | undefined;

  return async (position, except) => {
    // No other view when last looked, and not long ago: none can have started answering since (see ROW_SET_FRESH_MS).
    if (seen && performance.now() - seen.at < ROW_SET_FRESH_MS && seen.holders.every((h) => h === except)) return;
    const ackWaitMs = options.ackWaitMs ?? 1_500;
    let deadline = performance.now() + ackWaitMs;
    for (let pause = 1; ; pause = Math.min(pause * 2, 25)) {
      const at = performance.now();
      const live = await db
        .selectFrom(ACCESS_VIEWS)
        .select(['holder', 'position', 'fenced'])
        .where('expires_at', '>', sql<Date>`clock_timestamp()`)
        .execute();
      seen = { at, holders: live.map((row) => row.holder) };
      const lagging = live.filter((row) => row.holder !== except && !promised(row, position));
      if (lagging.length === 0) return;
      // A fenced row promises nothing: only its lease running out is waited for.
      if (performance.now() < deadline && lagging.some((row) => !row.fenced)) {
        await sleep(pause);
        continue;
      }
      // The leases as the fence leaves them: a renewal that won the race for the row stretched its lease, and none can after.
      const fenced = await db
        .updateTable(ACCESS_VIEWS)
        .set({ fenced: true })
        .where('holder', 'in', lagging.map((row) => row.holder))
        .returning(sql<number>`extract(epoch from expires_at - clock_timestamp()) * 1000`.as('left'))
        .execute();
      const left = Math.max(0, ...fenced.map((row) => Number(row.left)));
      if (left > 0) await sleep(Math.ceil(left) + 1);
      // A fenced process that registered again answers from no view older than the head it reads, past `position`.
      deadline = performance.now() + ackWaitMs;
    }
  };
};

type LocalView = Readonly<{ holder: string; learn: (userId: string, state: UserState, revision: bigint) => void }>;

/**
 * What the user commands call after a change of access: this process's view
 * (if it has one) learns the change at once, and every other is waited for.
 */
export const accessChanges = (db: Kysely<Database>, local?: LocalView, options: AccessBarrierOptions = {}) => {
  const barrier = accessBarrier(db, options);
  return async (change: AccessChange): Promise<void> => {
    local?.learn(change.userId, change.state, change.revision);
    await barrier(change.position, local?.holder);
  };
};
