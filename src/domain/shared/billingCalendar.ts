import { Temporal } from 'temporal-polyfill';
import { ValidationError } from './errors.js';
import { utcMillis } from './instant.js';

/**
 * Billing periods, half-open `[start, end)`, in UTC, as ISO instants.
 *
 * Period N starts at `anchor + N × intervalCount intervals`, computed from the
 * anchor every time and clamped to the end of a shorter month (Jan 31 → Feb 28
 * or 29 → Mar 31 → Apr 30; a yearly Feb 29 → Feb 28 in common years). A start
 * is never stepped from the previous clamped start, so Mar 31 never becomes
 * Mar 28 (Kill Bill #127, Lago #1840, Lago PR #6173). The month arithmetic is
 * Temporal's (`overflow: 'constrain'`), not ours.
 */
export type BillingInterval = 'month' | 'year';

export type BillingSchedule = Readonly<{
  /** The instant period 0 starts; stored once, never moved by billing. */
  anchor: string;
  interval: BillingInterval;
  intervalCount: number;
}>;

export type Period = Readonly<{ index: number; start: string; end: string }>;

export class CalendarError extends ValidationError {}

/**
 * An instant as the UTC wall clock reads it. Temporal's month arithmetic on a
 * PlainDateTime is the calendar's own, with no time zone to resolve on every
 * step: in UTC the two are the same.
 */
const utc = (instant: string): Temporal.PlainDateTime => {
  const ms = utcMillis(instant);
  try {
    return (ms !== undefined ? Temporal.Instant.fromEpochMilliseconds(ms) : Temporal.Instant.from(instant)).toZonedDateTimeISO('UTC').toPlainDateTime();
  } catch {
    throw new CalendarError('calendar.invalid_instant', `not an ISO 8601 instant with an offset: ${instant}`);
  }
};

const iso = (at: Temporal.PlainDateTime): string => `${at.toString({ fractionalSecondDigits: 3 })}Z`;

const monthsPerPeriod = (schedule: BillingSchedule): number => {
  if (!Number.isSafeInteger(schedule.intervalCount) || schedule.intervalCount < 1) {
    throw new CalendarError('calendar.invalid_interval_count', `intervalCount must be a whole number ≥ 1, got ${schedule.intervalCount}`);
  }
  return (schedule.interval === 'year' ? 12 : 1) * schedule.intervalCount;
};

type Starts = Readonly<{ anchor: Temporal.PlainDateTime; months: number; starts: Map<number, Temporal.PlainDateTime> }>;

/** Period starts already computed, per schedule object: billing a stream asks for the same ones again and again. */
const computed = new WeakMap<BillingSchedule, Starts>();

/** The start of period `n` (n ≥ 0), from the anchor itself. */
const startOf = (schedule: BillingSchedule, n: number): Temporal.PlainDateTime => {
  let known = computed.get(schedule);
  if (!known) {
    known = { anchor: utc(schedule.anchor), months: monthsPerPeriod(schedule), starts: new Map() };
    computed.set(schedule, known);
  }
  let start = known.starts.get(n);
  if (!start) {
    start = known.anchor.add({ months: known.months * n }, { overflow: 'constrain' });
    known.starts.set(n, start);
  }
  return start;
};

export const periodN = (schedule: BillingSchedule, n: number): Period => {
  if (!Number.isSafeInteger(n) || n < 0) throw new CalendarError('calendar.invalid_period', `a period number is a whole number ≥ 0, got ${n}`);
  return { index: n, start: iso(startOf(schedule, n)), end: iso(startOf(schedule, n + 1)) };
};

/** The period holding `instant`, or undefined before the anchor. */
export const periodContaining = (schedule: BillingSchedule, instant: string): Period | undefined => {
  const anchor = startOf(schedule, 0);
  const at = utc(instant);
  if (Temporal.PlainDateTime.compare(at, anchor) < 0) return undefined;
  const months = monthsPerPeriod(schedule);
  // A first guess from the calendar months between them, then corrected by at most a step or two.
  const elapsed = (at.year - anchor.year) * 12 + (at.month - anchor.month);
  let n = Math.max(0, Math.floor(elapsed / months));
  while (n > 0 && Temporal.PlainDateTime.compare(startOf(schedule, n), at) > 0) n -= 1;
  while (Temporal.PlainDateTime.compare(startOf(schedule, n + 1), at) <= 0) n += 1;
  return periodN(schedule, n);
};

/** The period after `period`: the one holding its end. */
export const nextPeriod = (schedule: BillingSchedule, period: Period): Period => periodContaining(schedule, period.end)!;

/** Whole days in a period (its start and end share a time of day, so the count is exact). */
export const daysIn = (period: Pick<Period, 'start' | 'end'>): number => daysBetween(period.start, period.end);

/** Whole days from `from` to `to`, counted by calendar date in UTC. */
export const daysBetween = (from: string, to: string): number => {
  const a = utcMillis(from);
  const b = utcMillis(to);
  // UTC has days of 86,400,000 ms: a day's number since the epoch is exact.
  if (a !== undefined && b !== undefined) return Math.floor(b / DAY_MS) - Math.floor(a / DAY_MS);
  return utc(from).toPlainDate().until(utc(to).toPlainDate(), { largestUnit: 'days' }).days;
};

const DAY_MS = 86_400_000;

/** `instant` plus whole days, in UTC (a trial's end). */
export const addDays = (instant: string, days: number): string => {
  if (!Number.isSafeInteger(days) || days < 0) throw new CalendarError('calendar.invalid_days', `days must be a whole number ≥ 0, got ${days}`);
  return iso(utc(instant).add({ days }));
};
