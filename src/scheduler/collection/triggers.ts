import { SYSTEM_ACTORS } from '../../domain/shared/index.js';
import { type Clock } from '../../clock/index.js';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'winston';
import type { Database } from '../../db/index.js';
import { invoiceDecider, invoiceStreamName } from '../../domain/invoice/index.js';
import { handleCommand, type EventStore } from '../../eventstore/index.js';
import { dueRows, dueWhenOf, sweepTrigger, type DueQuery, type DueWhen, type LeasedRun, type LeasedTrigger } from '../runtime/index.js';
import { GRACE_REMINDERS, TRIAL_REMINDER_DAYS, type Charges, type NoticeJob, type Notices } from '../../application/collection/index.js';

export type CollectionTriggerName = 'payment-timeout' | 'dunning-retry' | 'grace-expiry' | 'reminders';

const SCHEDULES: Record<CollectionTriggerName, string> = {
  'payment-timeout': '35 * * * * *',
  'dunning-retry': '40 * * * * *',
  'grace-expiry': '45 * * * * *',
  reminders: '50 * * * * *',
};

export type CollectionTriggersDeps = Readonly<{
  db: Kysely<Database>;
  store: EventStore;
  clock: Clock;
  charges: Charges;
  notices: Notices;
  logger: Logger;
  schedules?: Partial<Record<CollectionTriggerName, string>>;
  batchSize?: number;
  /** How long an attempt may go without a result before the gateway is asked for its outcome. */
  attemptTimeoutMs: number;
}>;

type Row = Readonly<{ id: string }>;

/** Open invoices whose next retry is due, and those whose grace has ended. */
const RETRIES_DUE: DueQuery = { table: 'read.invoices', id: 'invoice_id', statuses: ['OPEN'], dueAt: 'next_retry_at', columns: ['attempts'] };
const GRACE_ENDED: DueQuery = { table: 'read.invoices', id: 'invoice_id', statuses: ['OPEN'], dueAt: 'grace_ends_at' };

/**
 * Dunning on the clock, each trigger a thin loop over a read model under a
 * lease, like the billing triggers:
 * - `payment-timeout`: an attempt without a result for longer than the
 *   timeout is closed with the outcome the gateway has under its key;
 * - `dunning-retry`: an invoice whose last attempt failed with a retry due is
 *   charged again (attempt n+1, a job keyed by it);
 * - `grace-expiry`: an open invoice whose grace has ended is marked
 *   uncollectible (collections then cancels its subscription);
 * - `reminders`: the grace reminders 7 and 1 days before grace ends, and the
 *   trial reminder 3 days before a trial ends.
 * A read model may lag its streams: a retry already made is a job already
 * enqueued under its key, a grace extended is refused by the decider, and a
 * stale reminder is dropped when its job composes it.
 */
export const collectionTriggers = (deps: CollectionTriggersDeps): LeasedTrigger[] => {
  const batchSize = deps.batchSize ?? 500;
  const schedule = (name: CollectionTriggerName) => deps.schedules?.[name] ?? SCHEDULES[name];

  const sweep = <R extends Row>(
    name: CollectionTriggerName,
    due: (now: Date, after: string | undefined, limit: number) => Promise<readonly R[]>,
    dueWhen: DueWhen,
    act: (row: R, now: Date, run: LeasedRun) => Promise<unknown>,
  ): LeasedTrigger => sweepTrigger({ name, schedule: schedule(name), clock: deps.clock, logger: deps.logger, batchSize, due, dueWhen, act });

  const retriesDue = (now: Date, after: string | undefined, limit: number) =>
    dueRows<{ id: string; attempts: number }>(deps.db, RETRIES_DUE, now, after, limit);
  const graceEnded = (now: Date, after: string | undefined, limit: number) => dueRows(deps.db, GRACE_ENDED, now, after, limit);

  /**
   * Every reminder there is: its key and job, the instant it falls due, and
   * the end it reminds of (not sent once that has come). A reminder is due
   * when its instant has come, its end has not, and its key was never
   * enqueued: the job keys are the record of what was asked for. The key is
   * computed here as noticeKey computes it, with the instant spelled as
   * toISOString spells it.
   */
  const iso = (column: string) => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);
  const reminders = sql`
    select 'notice:' || r.name || ':' || i.invoice_id || ':' || ${iso('i.grace_ends_at')} as id,
           json_build_object('name', r.name, 'invoiceId', i.invoice_id, 'graceEndsAt', ${iso('i.grace_ends_at')}) as job,
           i.grace_ends_at - make_interval(days => r.days) as at, i.grace_ends_at as ends
      from read.invoices i
      cross join (values ${sql.join(GRACE_REMINDERS.map((r) => sql`(${r.name}, ${r.days}::int)`))}) as r(name, days)
     where i.status = 'OPEN' and i.grace_ends_at is not null
    union all
    select 'notice:trial_will_end:' || s.subscription_id || ':' || ${iso('s.trial_end')},
           json_build_object('name', 'trial_will_end', 'subscriptionId', s.subscription_id, 'trialEnd', ${iso('s.trial_end')}),
           s.trial_end - make_interval(days => ${TRIAL_REMINDER_DAYS}::int), s.trial_end
      from read.subscriptions s
     where s.status = 'TRIALING' and s.trial_end is not null`;
  const dueAt = (now: Date) =>
    sql`from (${reminders}) due where due.at <= ${now} and due.ends > ${now} and not exists (select 1 from jobs.job_keys k where k.key = due.id)`;
  const remindersDue = async (now: Date, after: string | undefined, limit: number) => {
    const { rows } = await sql<{ id: string; job: NoticeJob }>`
      select id, job ${dueAt(now)} ${after === undefined ? sql`` : sql`and id > ${after}`}
      order by id limit ${limit}`.execute(deps.db);
    return rows;
  };
  const remindersDueWhen: DueWhen = {
    now: (now) => sql<boolean>`exists (select 1 ${dueAt(now)})`,
    next: (now) => sql<Date | null>`(select min(at) from (${reminders}) due where due.at > ${now})`,
  };

  const timedOutBy = (now: Date) => new Date(now.getTime() - deps.attemptTimeoutMs);
  const abandoned = async (now: Date, after: string | undefined, limit: number) => {
    const { rows } = await sql<{ id: string; invoiceId: string; attempt: number }>`
      select id, invoice_id as "invoiceId", attempt from (
        select invoice_id || ':' || lpad(attempt::text, 6, '0') as id, invoice_id, attempt
          from read.payments
         where status = 'PENDING' and attempted_at <= ${timedOutBy(now)}
      ) pending
      ${after === undefined ? sql`` : sql`where id > ${after}`}
      order by id limit ${limit}`.execute(deps.db);
    return rows;
  };
  // No instants of its own: an attempt without a result is a gateway that did not answer, which a simulated one always does.
  const abandonedWhen: DueWhen = {
    now: (now) => sql<boolean>`exists (select 1 from read.payments where status = 'PENDING' and attempted_at <= ${timedOutBy(now)})`,
  };

  return [
    sweep('payment-timeout', abandoned, abandonedWhen, (row, _now, run) =>
      deps.charges.closeAbandoned(row, { actor: SYSTEM_ACTORS.scheduler, source: 'scheduler', correlationId: `payment-timeout:${run.lease.fencing}` }),
    ),
    sweep('dunning-retry', retriesDue, dueWhenOf(RETRIES_DUE), (row) => deps.charges.request({ invoiceId: row.id, attempt: row.attempts + 1 })),
    sweep('grace-expiry', graceEnded, dueWhenOf(GRACE_ENDED), (row, now, run) =>
      handleCommand(deps.store, invoiceStreamName(row.id), invoiceDecider, { type: 'ExpireGrace', data: { now: now.toISOString() } }, {
        commandId: `grace-expiry:${row.id}`,
        correlationId: `grace-expiry:${run.lease.fencing}`,
        actor: SYSTEM_ACTORS.scheduler,
        source: 'scheduler',
        occurredAt: now,
      }),
    ),
    sweep('reminders', remindersDue, remindersDueWhen, (row) => deps.notices.request(row.job)),
  ];
};
