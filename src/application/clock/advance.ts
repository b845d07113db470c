import { type SimulatedClock } from '../../clock/index.js';
import { sql, type Kysely } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { Database } from '../../db/index.js';
import { NotReadyError, ValidationError } from '../../domain/shared/index.js';
import { comparePositions, type EventStore, type Position, type RecordedEvent } from '../../eventstore/index.js';
import type { Trigger } from '../../scheduler/runtime/index.js';

export type AdvanceDeps = Readonly<{
  db: Kysely<Database>;
  store: EventStore;
  clock: SimulatedClock;
  /** Run in this order at every instant the clock stops at. */
  triggers: readonly Trigger[];
  /** Resolves once everything that reads the log has passed `position`, false when it did not in time. */
  settled: (position: Position, timeoutMs: number) => Promise<boolean>;
  settleTimeoutMs?: number;
  /**
   * Moves whenever this process changes what `settled` waits for besides the
   * log (its job table: an enqueue, a job done). Unmoved, with the log's head
   * where it was, after a trigger that found nothing to do: nothing to settle.
   */
  activity: () => number;
  /** The longest span one advance may cover, in calendar months. */
  maxSpanMonths: number;
}>;

export type Advance = Readonly<{ to: string } | { days: number } | { months: number }>;

/** How far an advance has come: after every instant the clock stopped at. */
export type AdvanceProgress = Readonly<{ from: string; now: string; to: string; fraction: number; stops: number }>;

export type AdvanceOptions = Readonly<{
  /** Aborted (the client went away): the advance ends after the instant in progress, the clock where it got to. */
  signal?: AbortSignal;
  onProgress?: (progress: AdvanceProgress) => void;
}>;

/** At most this many stops, invoices and status changes are listed; the counts cover all of them. */
export const LISTED = 100;

export type AdvanceResult = Readonly<{
  from: string;
  now: string;
  /** False when the advance was interrupted before its target; `now` is where the clock stopped. */
  completed: boolean;
  /** The first LISTED instants the clock stopped at, in order, and how many there were. */
  stops: readonly string[];
  stopCount: number;
  /** The first LISTED invoices created on the way, and how many there were. */
  invoices: readonly Readonly<{ invoiceId: string; subscriptionId: string; total: number; currency: string; periodStart: string | null }>[];
  invoiceCount: number;
  /** The first LISTED status changes, and how many there were. */
  changes: readonly Readonly<{ stream: string; type: string; at: string }>[];
  changeCount: number;
}>;

/** Where an advance goes: an instant, or days or months on (Temporal's calendar arithmetic, in UTC). */
export const targetOf = (now: Date, advance: Advance): Date => {
  const zoned = Temporal.Instant.fromEpochMilliseconds(now.getTime()).toZonedDateTimeISO('UTC');
  if ('to' in advance) return new Date(advance.to);
  if ('days' in advance) return new Date(zoned.add({ days: advance.days }).epochMilliseconds);
  return new Date(zoned.add({ months: advance.months }).epochMilliseconds);
};

/** The next instant after `now` at which a trigger has something to do: the first of their instants (least ignores none). */
const nextDueAfter = async (db: Kysely<Database>, triggers: readonly Trigger[], now: Date): Promise<Date | undefined> => {
  const instants = triggers.flatMap((t) => (t.dueWhen?.next ? [t.dueWhen.next(now)] : []));
  if (instants.length === 0) return undefined;
  const { rows } = await sql<{ next: Date | null }>`select least(${sql.join(instants)}) as next`.execute(db);
  return rows[0]?.next ? new Date(rows[0].next) : undefined;
};

/** Which triggers have something to do at `now`, asked of all at once: a trigger that cannot say is always due. */
const dueAt = async (db: Kysely<Database>, triggers: readonly Trigger[], now: Date): Promise<ReadonlySet<string>> => {
  const asked = triggers.filter((t) => t.dueWhen);
  const due = new Set(triggers.filter((t) => !t.dueWhen).map((t) => t.name));
  if (asked.length === 0) return due;
  const { rows } = await sql<{ due: boolean[] }>`select array[${sql.join(asked.map((t) => t.dueWhen!.now(now)))}] as due`.execute(db);
  asked.forEach((t, i) => rows[0]!.due[i] && due.add(t.name));
  return due;
};

/** Walks the log after `from` a page at a time, so an advance of years never holds its events at once. */
const eachAfter = async (store: EventStore, from: Position | undefined, visit: (event: RecordedEvent) => void): Promise<void> => {
  let position = from;
  for (;;) {
    const page = await store.readAll({ ...(position && { fromPosition: position }), maxCount: 1000 });
    page.forEach(visit);
    if (page.length < 1000) return;
    position = page.at(-1)!.position;
  }
};

const STATUS_CHANGES =
  /^(Subscription(Created|TrialEnded|Paused|Resumed|Canceled|Expired|PastDue|InvoiceSettled|Recovered)|Contract(Activated|Suspended|Resumed|Terminated|Expired)|Invoice(Finalized|Voided|Paid|MarkedUncollectible)|Payment(Succeeded|Failed)|DunningStopped|GraceExtended)$/;

/** Where an advance would go from `from`, refused before anything moves if it goes back or too far. */
export const checkAdvance = (from: Date, advance: Advance, maxSpanMonths: number): Date => {
  const to = targetOf(from, advance);
  if (Number.isNaN(to.getTime())) throw new ValidationError('clock.invalid_target', 'the target is not an instant');
  if (to < from) throw new ValidationError('clock.backwards', `the clock is at ${from.toISOString()}; it does not go back to ${to.toISOString()}`);
  const limit = targetOf(from, { months: maxSpanMonths });
  if (to > limit) {
    throw new ValidationError('clock.advance_too_far', `one advance covers at most ${maxSpanMonths} months: from ${from.toISOString()} up to ${limit.toISOString()}`, {
      maxSpanMonths,
      limit: limit.toISOString(),
    });
  }
  return to;
};

/**
 * Moves the simulated clock to a target through every instant at which
 * something falls due, in order, never in one jump: at each, the triggers
 * run (contract expiry, trial end, period-end cancellation, the billing run,
 * dunning retries, reminders, the end of grace) and the read models, process
 * managers and jobs settle before the next instant is looked up. Answers what
 * happened, summarised: counts, and the first LISTED of each kind.
 */
export const advanceClock = async (deps: AdvanceDeps, advance: Advance, options: AdvanceOptions = {}): Promise<AdvanceResult> => {
  const from = deps.clock.now();
  const to = checkAdvance(from, advance, deps.maxSpanMonths);
  const timeout = deps.settleTimeoutMs ?? 30_000;
  // Its client went away while it waited its turn: nothing to do for nobody.
  if (options.signal?.aborted) {
    const at = from.toISOString();
    return { from: at, now: at, completed: false, stops: [], stopCount: 0, invoices: [], invoiceCount: 0, changes: [], changeCount: 0 };
  }
  const start = await deps.store.headPosition();

  /** Where the log and the jobs stood when everything last settled. */
  let settledAt: { head: Position; activity: number } | undefined;
  const settle = async () => {
    for (;;) {
      const head = await deps.store.headPosition();
      if (!head) return;
      // Read before: a change while settling (its own jobs done, included) makes the next look settle again.
      const activity = deps.activity();
      if (!(await deps.settled(head, timeout))) throw new NotReadyError('clock.not_settled', `the read models did not settle within ${timeout} ms`);
      const after = await deps.store.headPosition();
      if (after && comparePositions(after, head) === 0) {
        settledAt = { head, activity };
        return;
      }
    }
  };
  const unchanged = async () => {
    if (!settledAt || deps.activity() !== settledAt.activity) return false;
    const head = await deps.store.headPosition();
    return head !== undefined && comparePositions(head, settledAt.head) === 0;
  };
  /**
   * Runs, in order, the triggers with something to do at the instant. What
   * is due is asked of all of them at once, on settled read models, and
   * asked again after any trigger that changed something: trial ends make
   * subscriptions due for billing at the same instant.
   */
  const runAll = async () => {
    if (!(await unchanged())) await settle();
    let due = await dueAt(deps.db, deps.triggers, deps.clock.now());
    for (const trigger of deps.triggers) {
      if (!due.has(trigger.name)) continue;
      await trigger.run(new AbortController().signal);
      // A trigger may find nothing (another instance's run took it): then one look at the head instead of a settle.
      if (await unchanged()) continue;
      await settle();
      due = await dueAt(deps.db, deps.triggers, deps.clock.now());
    }
  };

  const stops: string[] = [];
  let stopCount = 0;
  const stopped = () => {
    const now = deps.clock.now();
    if (stops.length < LISTED) stops.push(now.toISOString());
    stopCount++;
    const span = to.getTime() - from.getTime();
    options.onProgress?.({
      from: from.toISOString(),
      now: now.toISOString(),
      to: to.toISOString(),
      fraction: span === 0 ? 1 : (now.getTime() - from.getTime()) / span,
      stops: stopCount,
    });
  };
  await settle();
  for (;;) {
    await runAll();
    stopped();
    if (options.signal?.aborted) break;
    const next = await nextDueAfter(deps.db, deps.triggers, deps.clock.now());
    if (!next || next > to) break;
    await deps.clock.set(next);
    // A new instant settles in full before what is due is asked: a job's retry may have come due meanwhile.
    settledAt = undefined;
  }
  if (deps.clock.now() < to && !options.signal?.aborted) {
    await deps.clock.set(to);
    settledAt = undefined;
    await runAll();
    stopped();
  }

  const invoices: AdvanceResult['invoices'][number][] = [];
  const changes: AdvanceResult['changes'][number][] = [];
  let invoiceCount = 0;
  let changeCount = 0;
  await eachAfter(deps.store, start, (e) => {
    if (e.type === 'InvoiceCreated') {
      if (invoiceCount++ >= LISTED) return;
      const d = e.data as { invoiceId: string; subscriptionId: string; total: number; currency: string; cause: { kind: string; periodStart?: string } };
      invoices.push({ invoiceId: d.invoiceId, subscriptionId: d.subscriptionId, total: d.total, currency: d.currency, periodStart: d.cause.periodStart ?? null });
    } else if (STATUS_CHANGES.test(e.type) && changeCount++ < LISTED) {
      changes.push({ stream: e.streamName, type: e.type, at: e.metadata.occurredAt });
    }
  });
  const now = deps.clock.now();
  return { from: from.toISOString(), now: now.toISOString(), completed: now.getTime() === to.getTime(), stops, stopCount, invoices, invoiceCount, changes, changeCount };
};

/** The test clock as the API and `simulate` use it (CLOCK=simulated): where it stands, and moving it. */
export type TestClock = Readonly<{
  now: () => Date;
  /** The longest span one advance may cover, in months: a longer move is several advances. */
  maxSpanMonths: number;
  /** Throws as the advance would, before it is queued: a target behind the clock or too far. */
  check: (advance: Advance) => void;
  /** One advance at a time: a second waits for the first, then runs from where the clock is then. */
  advance: (advance: Advance, options?: AdvanceOptions) => Promise<AdvanceResult>;
}>;

export const createTestClock = (deps: AdvanceDeps): TestClock => {
  let queue: Promise<unknown> = Promise.resolve();
  return {
    now: () => deps.clock.now(),
    maxSpanMonths: deps.maxSpanMonths,
    check: (advance) => void checkAdvance(deps.clock.now(), advance, deps.maxSpanMonths),
    advance: (advance, options) => {
      const run = queue.then(() => advanceClock(deps, advance, options));
      queue = run.catch(() => undefined);
      return run;
    },
  };
};
