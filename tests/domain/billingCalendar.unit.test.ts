import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CalendarError,
  daysIn,
  nextPeriod,
  periodContaining,
  periodN,
  type BillingSchedule,
} from '../../src/domain/shared/billingCalendar.js';

const monthly = (anchor: string, intervalCount = 1): BillingSchedule => ({ anchor, interval: 'month', intervalCount });
const yearly = (anchor: string): BillingSchedule => ({ anchor, interval: 'year', intervalCount: 1 });
const starts = (schedule: BillingSchedule, count: number) => Array.from({ length: count }, (_, n) => periodN(schedule, n).start.slice(0, 10));

describe('the billing calendar', () => {
  it('clamps a 31st anchor to shorter months and comes back to the 31st', () => {
    expect(starts(monthly('2026-01-31T09:15:00Z'), 5)).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31']);
    expect(starts(monthly('2028-01-31T09:15:00Z'), 3)).toEqual(['2028-01-31', '2028-02-29', '2028-03-31']);
    expect(periodN(monthly('2026-01-31T09:15:00Z'), 1)).toEqual({ index: 1, start: '2026-02-28T09:15:00.000Z', end: '2026-03-31T09:15:00.000Z' });
  });

  it('Kill Bill #127: a 31st anchor keeps billing after March 31, for years', () => {
    const schedule = monthly('2026-01-31T00:00:00Z');
    const all = starts(schedule, 36);
    expect(all[2]).toBe('2026-03-31');
    expect(all.slice(3, 6)).toEqual(['2026-04-30', '2026-05-31', '2026-06-30']);
    expect(all[35]).toBe('2028-12-31');
    expect(new Set(all).size).toBe(36);
  });

  it('Lago PR #6173: a yearly leap-day anchor bills every year, Feb 28 in common years, no two periods alike', () => {
    const schedule = yearly('2024-02-29T12:00:00Z');
    expect(starts(schedule, 6)).toEqual(['2024-02-29', '2025-02-28', '2026-02-28', '2027-02-28', '2028-02-29', '2029-02-28']);
    const periods = Array.from({ length: 6 }, (_, n) => periodN(schedule, n));
    expect(new Set(periods.map((p) => `${p.start}/${p.end}`)).size).toBe(6);
    expect(periods.map(daysIn)).toEqual([365, 365, 365, 366, 365, 365]);
  });

  it('Lago PR #6173: quarterly plans on the 29th or later do not drift', () => {
    expect(starts(monthly('2026-11-30T00:00:00Z', 3), 6)).toEqual(['2026-11-30', '2027-02-28', '2027-05-30', '2027-08-30', '2027-11-30', '2028-02-29']);
    expect(starts(monthly('2026-08-31T00:00:00Z', 3), 5)).toEqual(['2026-08-31', '2026-11-30', '2027-02-28', '2027-05-31', '2027-08-31']);
  });

  it('Lago #1840: a 30th anchor crosses Feb 29 and returns to the 30th', () => {
    expect(starts(monthly('2028-01-30T00:00:00Z'), 4)).toEqual(['2028-01-30', '2028-02-29', '2028-03-30', '2028-04-30']);
    expect(periodContaining(monthly('2028-01-30T00:00:00Z'), '2028-02-29T00:00:00Z')?.index).toBe(1);
    expect(periodContaining(monthly('2028-01-30T00:00:00Z'), '2028-03-29T23:59:59.999Z')?.index).toBe(1);
    expect(periodContaining(monthly('2028-01-30T00:00:00Z'), '2028-03-30T00:00:00Z')?.index).toBe(2);
  });

  it('has nothing before the anchor, and refuses nonsense', () => {
    expect(periodContaining(monthly('2026-05-10T00:00:00Z'), '2026-05-09T23:59:59Z')).toBeUndefined();
    expect(() => periodN(monthly('yesterday'), 0)).toThrow(CalendarError);
    expect(() => periodN(monthly('2026-05-10T00:00:00Z', 0), 0)).toThrow(CalendarError);
    expect(() => periodN(monthly('2026-05-10T00:00:00Z'), -1)).toThrow(CalendarError);
  });

  it('counts the whole days of a period', () => {
    expect(daysIn(periodN(monthly('2026-02-01T00:00:00Z'), 0))).toBe(28);
    expect(daysIn(periodN(monthly('2026-01-31T18:00:00Z'), 1))).toBe(31);
  });
});

/** Any instant from 1970 to 2400, on any day 1–31 that its month has. */
const anchor = fc
  .record({
    year: fc.integer({ min: 1970, max: 2399 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
    seconds: fc.integer({ min: 0, max: 86_399 }),
  })
  .map(({ year, month, day, seconds }) => {
    const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
    return new Date(Date.UTC(year, month - 1, Math.min(day, last), 0, 0, seconds)).toISOString();
  });
const schedule = fc.record({
  anchor,
  interval: fc.constantFrom<'month' | 'year'>('month', 'year'),
  intervalCount: fc.integer({ min: 1, max: 12 }),
});
const lastDayOf = (iso: string) => {
  const d = new Date(iso);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
};

describe('the billing calendar, for any anchor, interval and count', () => {
  it('has contiguous, non-empty periods that never overlap', () =>
    fc.assert(
      fc.property(schedule, fc.integer({ min: 0, max: 120 }), (s, n) => {
        const [a, b] = [periodN(s, n), periodN(s, n + 1)];
        expect(a.end).toBe(b.start);
        expect(a.start < a.end).toBe(true);
        expect(daysIn(a)).toBeGreaterThan(0);
      }),
    ));

  it('never drifts: period N computed directly is N steps of "next"', () =>
    fc.assert(
      fc.property(schedule, fc.integer({ min: 1, max: 60 }), (s, n) => {
        let period = periodN(s, 0);
        for (let i = 0; i < n; i++) period = nextPeriod(s, period);
        expect(period).toEqual(periodN(s, n));
      }),
      { numRuns: 50 },
    ));

  it('starts every period on the anchor day, or on the last day of a shorter month, at the anchor time', () =>
    fc.assert(
      fc.property(schedule, fc.integer({ min: 0, max: 400 }), (s, n) => {
        const { start } = periodN(s, n);
        const anchorDay = new Date(s.anchor).getUTCDate();
        const day = new Date(start).getUTCDate();
        expect(day === anchorDay || (day === lastDayOf(start) && day < anchorDay)).toBe(true);
        expect(start.slice(10)).toBe(new Date(s.anchor).toISOString().slice(10));
      }),
    ));

  it('puts every instant in exactly the period whose bounds hold it', () =>
    fc.assert(
      fc.property(schedule, fc.integer({ min: 0, max: 200 * 366 * 86_400 }), (s, offsetSeconds) => {
        const instant = new Date(new Date(s.anchor).getTime() + offsetSeconds * 1000).toISOString();
        const period = periodContaining(s, instant)!;
        expect(period.start <= instant && instant < period.end).toBe(true);
      }),
    ));
});
