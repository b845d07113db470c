import { SYSTEM_ACTORS } from '../../domain/shared/index.js';
import { type Clock } from '../../clock/index.js';
import type { Kysely } from 'kysely';
import type { Logger } from 'winston';
import { contracts } from '../../application/contract/index.js';
import { subscriptions } from '../../application/subscription/index.js';
import { commandPath, type Ask } from '../../application/shared/index.js';
import type { Database } from '../../db/index.js';
import type { EventStore } from '../../eventstore/index.js';
import type { LeasedRun, LeasedTrigger } from '../runtime/index.js';
import { dueRows, dueWhenOf, sweepTrigger, type DueQuery } from '../runtime/index.js';
import type { Billing } from '../../application/billing/index.js';
import { runBilling } from '../../application/billing/index.js';
import { subscriptionsDueWhen } from '../../projections/billing/index.js';

export type BillingTriggersDeps = Readonly<{
  db: Kysely<Database>;
  store: EventStore;
  clock: Clock;
  billing: Billing;
  logger: Logger;
  /** node-cron expressions (seconds first), in UTC. */
  schedules?: Partial<Record<TriggerName, string>>;
  batchSize?: number;
}>;

export type TriggerName = 'billing-run' | 'trial-end' | 'period-end-cancellation' | 'contract-expiry';

const SCHEDULES: Record<TriggerName, string> = {
  'billing-run': '0 * * * * *',
  'trial-end': '10 * * * * *',
  'period-end-cancellation': '20 * * * * *',
  'contract-expiry': '30 * * * * *',
};

const ask = (trigger: TriggerName, run: LeasedRun): Ask => ({
  actor: SYSTEM_ACTORS.scheduler,
  source: 'scheduler',
  correlationId: `${trigger}:${run.lease.fencing}`,
});

/** What each trigger sweeps: trials ended, cancellations due, contracts ended. */
const TRIALS_ENDED: DueQuery = { table: 'read.subscriptions', id: 'subscription_id', statuses: ['TRIALING'], dueAt: 'trial_end' };
const CANCELLATIONS_DUE: DueQuery = {
  table: 'read.subscriptions',
  id: 'subscription_id',
  statuses: ['TRIALING', 'ACTIVE', 'PAST_DUE', 'PAUSED'],
  dueAt: 'cancel_at',
};
const CONTRACTS_ENDED: DueQuery = { table: 'read.contracts', id: 'contract_id', statuses: ['ACTIVE', 'SUSPENDED'], dueAt: 'ends_at' };

/**
 * The billing triggers: each a thin loop that reads what is due from a read
 * model and sends commands through handleCommand in bounded batches, under a
 * lease (src/scheduler) so that one instance runs each. A read model may lag:
 * what it has not seen yet is due at the next firing, and a command the
 * stream has made pointless (a trial already ended) is refused by the decider
 * or changes nothing.
 */
export const billingTriggers = (deps: BillingTriggersDeps): LeasedTrigger[] => {
  const batchSize = deps.batchSize ?? 500;
  const schedule = (name: TriggerName) => deps.schedules?.[name] ?? SCHEDULES[name];
  const subscriptionPath = commandPath(deps.store, deps.clock, subscriptions);
  const contractPath = commandPath(deps.store, deps.clock, contracts);

  const sweep = (name: TriggerName, due: DueQuery, send: (id: string, now: string, a: Ask) => Promise<unknown>): LeasedTrigger =>
    sweepTrigger({
      name,
      schedule: schedule(name),
      clock: deps.clock,
      logger: deps.logger,
      batchSize,
      due: (now, after, limit) => dueRows(deps.db, due, now, after, limit),
      dueWhen: dueWhenOf(due),
      act: (row, now, run) => send(row.id, now.toISOString(), ask(name, run)),
    });

  return [
    {
      name: 'billing-run',
      schedule: schedule('billing-run'),
      dueWhen: subscriptionsDueWhen,
      run: async (run) => {
        const result = await runBilling({ db: deps.db, billing: deps.billing }, deps.clock.now(), {
          origin: ask('billing-run', run),
          batchSize,
          mayContinue: run.stillHolding,
        });
        for (const failure of result.failures) {
          deps.logger.error('billing-run: a subscription could not be billed; it stays due', {
            subscriptionId: failure.subscriptionId,
            err: failure.error instanceof Error ? failure.error.message : String(failure.error),
          });
        }
        deps.logger.info('billing-run done', { subscriptions: result.subscriptions, invoices: result.invoices, stopped: result.stopped });
      },
    },
    sweep('trial-end', TRIALS_ENDED, (id, now, a) => subscriptionPath.run(id, { type: 'EndTrial', data: { now } }, a)),
    sweep('period-end-cancellation', CANCELLATIONS_DUE, (id, now, a) =>
      subscriptionPath.run(id, { type: 'CancelSubscription', data: { atPeriodEnd: false, now } }, a),
    ),
    sweep('contract-expiry', CONTRACTS_ENDED, (id, now, a) => contractPath.run(id, { type: 'ExpireContract', data: { now } }, a)),
  ];
};
