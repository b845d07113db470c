import { type Clock } from '../../clock/index.js';
import type { Logger } from 'winston';
import { ConflictError } from '../../domain/shared/index.js';
import type { LeasedRun, LeasedTrigger } from './leasedTrigger.js';
import type { DueWhen } from './dueRows.js';

export type SweepOptions<R extends Readonly<{ id: string }>> = Readonly<{
  name: string;
  /** A node-cron expression, seconds first, UTC. */
  schedule: string;
  clock: Clock;
  logger: Logger;
  batchSize: number;
  /** What is due at `now` in a read model, a page at a time after the last id seen, in id order. */
  due: (now: Date, after: string | undefined, limit: number) => Promise<readonly R[]>;
  act: (row: R, now: Date, run: LeasedRun) => Promise<unknown>;
  dueWhen?: DueWhen;
}>;

/**
 * A trigger that reads what is due from a read model and acts on each row,
 * in bounded pages, while its lease holds. A read model may lag: what it has
 * not seen yet is due at the next firing, and a row whose stream has made the
 * act pointless is refused by the decider (a ConflictError), logged and left;
 * anything else fails the run.
 */
export const sweepTrigger = <R extends Readonly<{ id: string }>>(options: SweepOptions<R>): LeasedTrigger => ({
  name: options.name,
  schedule: options.schedule,
  ...(options.dueWhen && { dueWhen: options.dueWhen }),
  run: async (run) => {
    const now = options.clock.now();
    let after: string | undefined;
    for (;;) {
      if (!run.stillHolding()) return;
      const rows = await options.due(now, after, options.batchSize);
      if (rows.length === 0) return;
      for (const row of rows) {
        try {
          await options.act(row, now, run);
        } catch (err) {
          if (!(err instanceof ConflictError)) throw err;
          options.logger.info(`${options.name}: left as it is`, { id: row.id, reason: err.reason });
        }
      }
      after = rows.at(-1)!.id;
    }
  },
});
