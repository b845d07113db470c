import pLimit from 'p-limit';
import type { Kysely } from 'kysely';
import type { Origin } from '../accounts/index.js';
import type { Database } from '../db/database.js';
import type { Billing } from './billSubscription.js';
import { dueSubscriptions, moveDue } from './due.js';

export type BillingRunDeps = Readonly<{ db: Kysely<Database>; billing: Billing }>;

export type BillingRunOptions = Readonly<{
  /** Subscriptions read from the due list at a time. */
  batchSize?: number;
  /** Subscriptions billed at once within a batch. */
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
  const limit = pLimit(options.concurrency ?? 8);
  let after: { dueAt: Date; subscriptionId: string } | undefined;
  let subscriptions = 0;
  let invoices = 0;
  const failures: { subscriptionId: string; error: unknown }[] = [];
  for (;;) {
    if (options.mayContinue && !(await options.mayContinue())) return { subscriptions, invoices, failures, stopped: true };
    const due = await dueSubscriptions(deps.db, until, batchSize, after);
    if (due.length === 0) return { subscriptions, invoices, failures, stopped: false };
    // One subscription that fails does not hold up the others.
    const outcomes = await Promise.allSettled(
      due.map(({ subscriptionId }) =>
        limit(async () => {
          const outcome = await deps.billing.billSubscription(subscriptionId, until, options.origin);
          if (outcome.revision !== undefined) await moveDue(deps.db, subscriptionId, outcome.nextDueAt, outcome.revision);
          return outcome.invoices.length;
        }),
      ),
    );
    subscriptions += due.length;
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') invoices += outcome.value;
      else failures.push({ subscriptionId: due[i]!.subscriptionId, error: outcome.reason });
    });
    after = due.at(-1)!;
  }
};
