import type { Kysely } from 'kysely';
import { type Origin } from '../shared/index.js';
import type { Database } from '../../db/index.js';
import type { Billing } from './billSubscription.js';
import type { BatchOutcomes } from './billBatch.js';
import { dueSubscriptions, moveDueMany } from '../../projections/billing/index.js';

export type BillingRunDeps = Readonly<{ db: Kysely<Database>; billing: Billing }>;

export type BillingRunOptions = Readonly<{
  /** Subscriptions read from the due list at a time. */
  batchSize?: number;
  /** Subscriptions billed at once within a batch, when they are billed one by one. */
  concurrency?: number;
  /** Checked before each batch: a run whose lease is lost stops within one batch. */
  mayContinue?: () => boolean | Promise<boolean>;
  origin: Origin;
}>;

export type BillingRunResult = Readonly<{
  subscriptions: number;
  invoices: number;
  /** Subscriptions whose billing failed: they stay due and are tried again by the next run. */
  failures: readonly Readonly<{ subscriptionId: string; error: unknown }>[];
  stopped: boolean;
}>;

/**
 * Bills every subscription due by `until`, in bounded batches read from the
 * due list (never all ids at once). Each subscription is billed up to `until`
 * (every period it missed, after downtime) and moved on to when it is next
 * due. The due list is walked by keyset within a run, so a subscription that
 * could not be moved on (a failure, a newer event) waits for the next run
 * instead of being retried in a loop.
 */
export const runBilling = async (deps: BillingRunDeps, until: Date, options: BillingRunOptions): Promise<BillingRunResult> => {
  const batchSize = options.batchSize ?? 500;
  const concurrency = options.concurrency ?? 8;
  let after: { dueAt: Date; subscriptionId: string } | undefined;
  let subscriptions = 0;
  let invoices = 0;
  const failures: { subscriptionId: string; error: unknown }[] = [];
  const tally = (due: readonly { subscriptionId: string }[], outcomes: BatchOutcomes) => {
    const moves = [];
    for (const { subscriptionId } of due) {
      const outcome = outcomes.get(subscriptionId)!;
      if (outcome.status === 'rejected') {
        failures.push({ subscriptionId, error: outcome.reason });
        continue;
      }
      invoices += outcome.value.invoices.length;
      if (outcome.value.revision !== undefined) moves.push({ subscriptionId, nextDueAt: outcome.value.nextDueAt, revision: outcome.value.revision });
    }
    subscriptions += due.length;
    return moveDueMany(deps.db, moves);
  };
  // The batch being written while the next is read and computed (billing writes one batch at a time).
  let writing: Promise<void> = Promise.resolve();
  try {
    for (;;) {
      if (options.mayContinue && !(await options.mayContinue())) {
        await writing;
        return { subscriptions, invoices, failures, stopped: true };
      }
      const due = await dueSubscriptions(deps.db, until, batchSize, after);
      if (due.length === 0) {
        await writing;
        return { subscriptions, invoices, failures, stopped: false };
      }
      const prepared = await deps.billing.many.prepare(due.map((d) => d.subscriptionId), until);
      await writing;
      // Asked again before writing: a lease lost while this batch was read writes nothing more.
      if (options.mayContinue && !(await options.mayContinue())) return { subscriptions, invoices, failures, stopped: true };
      writing = deps.billing.many.complete(prepared, options.origin, concurrency).then((outcomes) => tally(due, outcomes));
      // Observed now, thrown at the next `await writing`: a write failing while the next batch is read must not end the process.
      writing.catch(() => undefined);
      after = due.at(-1)!;
    }
  } catch (err) {
    // A read failed while a batch was being written: that write ends (and is not left unobserved) before the run does.
    await writing.catch(() => undefined);
    throw err;
  }
};
