import { Temporal } from 'temporal-polyfill';
import { ValidationError } from './errors.js';

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

const utc = (instant: string): Temporal.ZonedDateTime => {
  try {
    return Temporal.Instant.from(instant).toZonedDateTimeISO('UTC');
  } catch {
    throw new CalendarError('calendar.invalid_instant', `not an ISO 8601 instant with an offset: ${instant}`);
  }
};

const iso = (at: Temporal.ZonedDateTime): string => at.toInstant().toString({ fractionalSecondDigits: 3 });

const monthsPerPeriod = (schedule: BillingSchedule): number => {
  if (!Number.isSafeInteger(schedule.intervalCount) || schedule.intervalCount < 1) {
    throw new CalendarError('calendar.invalid_interval_count', `intervalCount must be a whole number ≥ 1, got ${schedule.intervalCount}`);
  }
  return (schedule.interval === 'year' ? 12 : 1) * schedule.intervalCount;
};

/** The start of period `n` (n ≥ 0), from the anchor itself. */
const startOf = (anchor: Temporal.ZonedDateTime, months: number, n: number): Temporal.ZonedDateTime =>
  anchor.add({ months: months * n }, { overflow: 'constrain' });

export const periodN = (schedule: BillingSchedule, n: number): Period => {
  if (!Number.isSafeInteger(n) || n < 0) throw new CalendarError('calendar.invalid_period', `a period number is a whole number ≥ 0, got ${n}`);
  const anchor = utc(schedule.anchor);
  const months = monthsPerPeriod(schedule);
  return { index: n, start: iso(startOf(anchor, months, n)), end: iso(startOf(anchor, months, n + 1)) };
};

/** The period holding `instant`, or undefined before the anchor. */
export const periodContaining = (schedule: BillingSchedule, instant: string): Period | undefined => {
  const anchor = utc(schedule.anchor);
  const at = utc(instant);
  if (Temporal.ZonedDateTime.compare(at, anchor) < 0) return undefined;
  const months = monthsPerPeriod(schedule);
  // A first guess from the calendar months between them, then corrected by at most a step or two.
  const elapsed = (at.year - anchor.year) * 12 + (at.month - anchor.month);
  let n = Math.max(0, Math.floor(elapsed / months));
  while (n > 0 && Temporal.ZonedDateTime.compare(startOf(anchor, months, n), at) > 0) n -= 1;
  while (Temporal.ZonedDateTime.compare(startOf(anchor, months, n + 1), at) <= 0) n += 1;
  return periodN(schedule, n);
};

/** The period after `period`: the one holding its end. */
export const nextPeriod = (schedule: BillingSchedule, period: Period): Period => periodContaining(schedule, period.end)!;

/** Whole days in a period (its start and end share a time of day, so the count is exact). */
export const daysIn = (period: Pick<Period, 'start' | 'end'>): number => daysBetween(period.start, period.end);

/** Whole days from `from` to `to`, counted by calendar date in UTC. */
export const daysBetween = (from: string, to: string): number =>
  utc(from).toPlainDate().until(utc(to).toPlainDate(), { largestUnit: 'days' }).days;

/** `instant` plus whole days, in UTC (a trial's end). */
export const addDays = (instant: string, days: number): string => {
  if (!Number.isSafeInteger(days) || days < 0) throw new CalendarError('calendar.invalid_days', `days must be a whole number ≥ 0, got ${days}`);
  return iso(utc(instant).add({ days }));
};
