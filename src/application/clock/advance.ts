import { type SimulatedClock } from '../../clock/index.js';
import { sql, type Kysely } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { Database } from '../../db/index.js';
import { NotReadyError, ValidationError } from '../../domain/shared/index.js';
import { comparePositions, type EventStore, type Position, type RecordedEvent } from '../../eventstore/index.js';
import type { Trigger } from '../../scheduler/runtime/index.js';
import { GRACE_REMINDERS, TRIAL_REMINDER_DAYS } from '../collection/index.js';

export type AdvanceDeps = Readonly<{
  db: Kysely<Database>;
  store: EventStore;
  clock: SimulatedClock;
  /** Run in this order at every instant the clock stops at. */
  triggers: readonly Trigger[];
  /** Resolves once everything that reads the log has passed `position`, false when it did not in time. */
  settled: (position: Position, timeoutMs: number) => Promise<boolean>;
  settleTimeoutMs?: number;
}>;

export type Advance = Readonly<{ to: string } | { days: number } | { months: number }>;

export type AdvanceResult = Readonly<{
  from: string;
  now: string;
  /** The instants the clock stopped at, in order. */
  stops: readonly string[];
  invoices: readonly Readonly<{ invoiceId: string; subscriptionId: string; total: number; currency: string; periodStart: string | null }>[];
  changes: readonly Readonly<{ stream: string; type: string; at: string }>[];
}>;

/** Where an advance goes: an instant, or days or months on (Temporal's calendar arithmetic, in UTC). */
export const targetOf = (now: Date, advance: Advance): Date => {
  const zoned = Temporal.Instant.fromEpochMilliseconds(now.getTime()).toZonedDateTimeISO('UTC');
  if ('to' in advance) return new Date(advance.to);
  if ('days' in advance) return new Date(zoned.add({ days: advance.days }).epochMilliseconds);
  return new Date(zoned.add({ months: advance.months }).epochMilliseconds);
};

/** The next instant after `now` at which a trigger has something to do, from the read models the triggers read. */
const nextDueAfter = async (db: Kysely<Database>, now: Date): Promise<Date | undefined> => {
  const { rows } = await sql<{ next: Date | null }>`
    select min(t) as next from (
      select min(due_at) as t from billing.subscription_due where due_at > ${now}
      union all select min(trial_end) from read.subscriptions where status = 'TRIALING' and trial_end > ${now}
      union all select min(cancel_at) from read.subscriptions
        where status in ('TRIALING', 'ACTIVE', 'PAST_DUE', 'PAUSED') and cancel_at > ${now}
      union all select min(ends_at) from read.contracts where status in ('ACTIVE', 'SUSPENDED') and ends_at > ${now}
      union all select min(next_retry_at) from read.invoices where status = 'OPEN' and next_retry_at > ${now}
      union all select min(t) from read.invoices
        cross join lateral (values (grace_ends_at), ${sql.join(GRACE_REMINDERS.map((r) => sql`(grace_ends_at - make_interval(days => ${r.days}::int))`))}) as g(t)
        where status = 'OPEN' and grace_ends_at is not null and t > ${now}
      union all select min(trial_end - make_interval(days => ${TRIAL_REMINDER_DAYS}::int)) from read.subscriptions
        where status = 'TRIALING' and trial_end - make_interval(days => ${TRIAL_REMINDER_DAYS}::int) > ${now}
    ) due`.execute(db);
  return rows[0]?.next ? new Date(rows[0].next) : undefined;
};

const readAfter = async (store: EventStore, from: Position | undefined): Promise<RecordedEvent[]> => {
  const events: RecordedEvent[] = [];
  let position = from;
  for (;;) {
    const page = await store.readAll({ ...(position && { fromPosition: position }), maxCount: 1000 });
    events.push(...page);
    if (page.length < 1000) return events;
    position = page.at(-1)!.position;
  }
};

const STATUS_CHANGES =
  /^(Subscription(Created|TrialEnded|Paused|Resumed|Canceled|Expired|PastDue|InvoiceSettled|Recovered)|Contract(Activated|Suspended|Resumed|Terminated|Expired)|Invoice(Finalized|Voided|Paid|MarkedUncollectible)|Payment(Succeeded|Failed)|DunningStopped|GraceExtended)$/;

/**
 * Moves the simulated clock to a target through every instant at which
 * something falls due, in order, never in one jump: at each, the triggers
 * run (contract expiry, trial end, period-end cancellation, the billing run,
 * dunning retries, reminders, the end of grace) and the read models, process
 * managers and jobs settle before the next instant is looked up. Answers what happened: the invoices and the status changes.
 */
export const advanceClock = async (deps: AdvanceDeps, advance: Advance): Promise<AdvanceResult> => {
  const from = deps.clock.now();
  const to = targetOf(from, advance);
  if (Number.isNaN(to.getTime())) throw new ValidationError('clock.invalid_target', 'the target is not an instant');
  if (to < from) throw new ValidationError('clock.backwards', `the clock is at ${from.toISOString()}; it does not go back to ${to.toISOString()}`);
  const timeout = deps.settleTimeoutMs ?? 30_000;
  const start = await deps.store.headPosition();

  const settle = async () => {
    for (;;) {
      const head = await deps.store.headPosition();
      if (!head) return;
      if (!(await deps.settled(head, timeout))) throw new NotReadyError('clock.not_settled', `the read models did not settle within ${timeout} ms`);
      const after = await deps.store.headPosition();
      if (after && comparePositions(after, head) === 0) return;
    }
  };
  const runAll = async () => {
    for (const trigger of deps.triggers) {
      await trigger.run(new AbortController().signal);
      await settle();
    }
  };

  const stops: string[] = [];
  await settle();
  for (;;) {
    await runAll();
    stops.push(deps.clock.now().toISOString());
    const next = await nextDueAfter(deps.db, deps.clock.now());
    if (!next || next > to) break;
    await deps.clock.set(next);
  }
  if (deps.clock.now() < to) {
    await deps.clock.set(to);
    await runAll();
    stops.push(to.toISOString());
  }

  const happened = await readAfter(deps.store, start);
  return {
    from: from.toISOString(),
    now: deps.clock.now().toISOString(),
    stops,
    invoices: happened
      .filter((e) => e.type === 'InvoiceCreated')
      .map((e) => {
        const d = e.data as { invoiceId: string; subscriptionId: string; total: number; currency: string; cause: { kind: string; periodStart?: string } };
        return { invoiceId: d.invoiceId, subscriptionId: d.subscriptionId, total: d.total, currency: d.currency, periodStart: d.cause.periodStart ?? null };
      }),
    changes: happened.filter((e) => STATUS_CHANGES.test(e.type)).map((e) => ({ stream: e.streamName, type: e.type, at: e.metadata.occurredAt })),
  };
};

/** The test clock as the API and `simulate` use it (CLOCK=simulated): where it stands, and moving it. */
export type TestClock = Readonly<{ now: () => Date; advance: (advance: Advance) => Promise<AdvanceResult> }>;
