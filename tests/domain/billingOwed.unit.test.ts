import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { billableItems, billingAt, byInvoice, effectiveAt, type BillableItem } from '../../src/domain/billing/index.js';
import { cancel, changePlan, changeQuantity, expire, pause, plan, resume, stream, streamSkippingRefusals } from './billingFixtures.js';

const starts = (items: readonly BillableItem[]) => items.filter((i) => i.type === 'plan_charge').map((i) => i.period.start.slice(0, 10));
const lines = (items: readonly BillableItem[]) => items.map((i) => [i.type, i.amount, i.dueAt.slice(0, 10)]);
const total = (items: readonly BillableItem[]) => items.reduce((sum, i) => sum + i.amount, 0);

describe('periods billed in advance, from the anchor (the named month-end bugs)', () => {
  it('bills a Jan 31 anchor on Feb 28, Mar 31, Apr 30 and May 31, and keeps going (Kill Bill #127)', () => {
    const items = billableItems(stream({ at: '2026-01-31T10:00:00.000Z' }), '2026-07-31T10:00:00.000Z');
    expect(starts(items)).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31', '2026-06-30', '2026-07-31']);
    expect(new Set(items.map((i) => i.key)).size).toBe(items.length);
  });

  it('bills a yearly leap-day anchor once a year for 8 years, never the same boundary twice (Lago PR #6173)', () => {
    const items = billableItems(stream({ at: '2024-02-29T00:00:00.000Z', plan: plan({ interval: 'year' }) }), '2032-03-01T00:00:00.000Z');
    expect(starts(items)).toEqual([
      '2024-02-29', '2025-02-28', '2026-02-28', '2027-02-28', '2028-02-29', '2029-02-28', '2030-02-28', '2031-02-28', '2032-02-29',
    ]);
  });

  it('bills a quarterly plan on the 30th without drifting, across a leap February (Lago #1840)', () => {
    const quarterly = plan({ intervalCount: 3 });
    const items = billableItems(stream({ at: '2027-11-30T08:00:00.000Z', plan: quarterly }), '2029-03-01T00:00:00.000Z');
    expect(starts(items)).toEqual(['2027-11-30', '2028-02-29', '2028-05-30', '2028-08-30', '2028-11-30', '2029-02-28']);
  });

  it('bills nothing in a trial and starts the paid periods at its end', () => {
    const events = stream({ at: '2026-03-01T00:00:00.000Z', plan: plan({ trialDays: 14 }) });
    expect(billableItems(events, '2026-03-14T23:59:59.999Z')).toEqual([]);
    expect(starts(billableItems(events, '2026-05-20T00:00:00.000Z'))).toEqual(['2026-03-15', '2026-04-15', '2026-05-15']);
  });
});

describe('changes in the middle of a period, prorated by whole days from what was billed', () => {
  const APR = '2026-04-01T00:00:00.000Z';
  const ten = plan({ planId: 'pln_10', amount: 1_000 });
  const twenty = plan({ planId: 'pln_20', amount: 2_000 });
  const thirty = plan({ planId: 'pln_30', amount: 3_000 });

  it("credits −$5 and debits +$10 for $10 → $20 at exactly half a 30-day period: +$5 (Stripe's example)", () => {
    const items = billableItems(stream({ at: APR, plan: ten }, changePlan('2026-04-16T00:00:00.000Z', twenty)), '2026-04-30T00:00:00.000Z');
    expect(lines(items)).toEqual([
      ['plan_charge', 1_000, '2026-04-01'],
      ['proration_credit', -500, '2026-04-16'],
      ['proration_debit', 1_000, '2026-04-16'],
    ]);
    const change = byInvoice(items).get('change:e2')!;
    expect(total(change)).toBe(500);
    expect(change.every((i) => i.currency === 'usd')).toBe(true);
  });

  it('credits only what the first change billed when a second change follows in the same period', () => {
    const items = billableItems(
      stream({ at: APR, plan: ten }, changePlan('2026-04-11T00:00:00.000Z', twenty), changePlan('2026-04-21T00:00:00.000Z', thirty)),
      '2026-04-30T00:00:00.000Z',
    );
    // 30 days: 20 unused of $10 is 666.67 → 667; 20 days of $20 is 1333.33 → 1333.
    // Then 10 of the debit's 20 days: 1333 / 2 = 666.5 → 666 (half-even); 10 days of $30 is 1000.
    expect(lines(items)).toEqual([
      ['plan_charge', 1_000, '2026-04-01'],
      ['proration_credit', -667, '2026-04-11'],
      ['proration_debit', 1_333, '2026-04-11'],
      ['proration_credit', -666, '2026-04-21'],
      ['proration_debit', 1_000, '2026-04-21'],
    ]);
    const second = byInvoice(items).get('change:e3')!;
    expect(second[0]!.description).toContain('Remaining time on pln_20');
    // Never more given back than was billed for the time.
    expect(-(items[1]!.amount + items[3]!.amount)).toBeLessThanOrEqual(1_000 + 1_333);
  });

  it('lets a downgrade give back more than it charges', () => {
    const items = billableItems(stream({ at: APR, plan: twenty }, changePlan('2026-04-16T00:00:00.000Z', ten)), '2026-04-30T00:00:00.000Z');
    expect(total(byInvoice(items).get('change:e2')!)).toBe(-1_000 + 500);
  });

  it('prices a quantity change at the new quantity for the rest of the period', () => {
    const items = billableItems(stream({ at: APR, plan: ten, quantity: 2 }, changeQuantity('2026-04-16T00:00:00.000Z', 5)), '2026-05-01T00:00:00.000Z');
    expect(lines(items)).toEqual([
      ['plan_charge', 2_000, '2026-04-01'],
      ['proration_credit', -1_000, '2026-04-16'],
      ['proration_debit', 2_500, '2026-04-16'],
      ['plan_charge', 5_000, '2026-05-01'],
    ]);
  });

  it('starts a new period at once, billed with the change, when the interval changes', () => {
    const yearly = plan({ planId: 'pln_year', amount: 10_000, interval: 'year' });
    const items = billableItems(stream({ at: APR, plan: ten }, changePlan('2026-04-16T00:00:00.000Z', yearly)), '2027-04-16T00:00:00.000Z');
    expect(lines(items)).toEqual([
      ['plan_charge', 1_000, '2026-04-01'],
      ['proration_credit', -500, '2026-04-16'],
      ['plan_charge', 10_000, '2026-04-16'],
      ['plan_charge', 10_000, '2027-04-16'],
    ]);
    expect(items[2]!.invoiceKey).toBe('change:e2');
    expect(items[3]!.invoiceKey).toBe('period:2027-04-16T00:00:00.000Z');
  });
});

describe('pause, resume, cancel and expire', () => {
  const APR = '2026-04-01T00:00:00.000Z';

  it('credits the unused part on a pause (a contract suspension too), bills nothing while paused, and bills a new period at once on resume', () => {
    const items = billableItems(
      stream({ at: APR }, pause('2026-04-11T00:00:00.000Z', 'contract'), resume('2026-06-10T12:00:00.000Z')),
      '2026-07-10T12:00:00.000Z',
    );
    expect(lines(items)).toEqual([
      ['plan_charge', 1_000, '2026-04-01'],
      ['proration_credit', -667, '2026-04-11'],
      ['plan_charge', 1_000, '2026-06-10'],
      ['plan_charge', 1_000, '2026-07-10'],
    ]);
    expect(items[2]).toMatchObject({ invoiceKey: 'change:e3', period: { start: '2026-06-10T12:00:00.000Z', end: '2026-07-10T12:00:00.000Z' } });
  });

  it('credits the unused part of an immediate cancellation, or not with prorate: false, and bills nothing after', () => {
    const prorated = billableItems(stream({ at: APR }, cancel('2026-04-16T00:00:00.000Z')), '2026-09-01T00:00:00.000Z');
    expect(lines(prorated)).toEqual([
      ['plan_charge', 1_000, '2026-04-01'],
      ['proration_credit', -500, '2026-04-16'],
    ]);
    const kept = billableItems(stream({ at: APR }, cancel('2026-04-16T00:00:00.000Z', { prorate: false })), '2026-09-01T00:00:00.000Z');
    expect(lines(kept)).toEqual([['plan_charge', 1_000, '2026-04-01']]);
  });

  it('bills nothing more after a cancellation at the period end', () => {
    const events = stream({ at: APR }, cancel('2026-04-20T00:00:00.000Z', { atPeriodEnd: true }), cancel('2026-05-01T00:00:00.000Z'));
    expect(events.at(-1)!.event).toMatchObject({ type: 'SubscriptionCanceled', data: { canceledAt: '2026-05-01T00:00:00.000Z', atPeriodEnd: true } });
    expect(lines(billableItems(events, '2026-09-01T00:00:00.000Z'))).toEqual([['plan_charge', 1_000, '2026-04-01']]);
  });

  it('credits the unused part when the subscription expires', () => {
    const items = billableItems(stream({ at: APR }, expire('2026-04-16T00:00:00.000Z')), '2026-09-01T00:00:00.000Z');
    expect(total(items)).toBe(500);
  });

  it('bills nothing for a trial canceled before it ends', () => {
    const events = stream({ at: APR, plan: plan({ trialDays: 30 }) }, cancel('2026-04-10T00:00:00.000Z'));
    expect(billableItems(events, '2027-01-01T00:00:00.000Z')).toEqual([]);
  });
});

describe('what fell due never changes later', () => {
  it('gives, at every day of a busy year, a prefix of what it gives at the end', () => {
    const events = stream(
      { at: '2026-01-31T09:00:00.000Z', quantity: 2 },
      changeQuantity('2026-02-10T09:00:00.000Z', 3),
      changePlan('2026-03-05T09:00:00.000Z', plan({ planId: 'pln_big', amount: 2_500 })),
      pause('2026-04-02T09:00:00.000Z'),
      resume('2026-05-17T09:00:00.000Z'),
      changePlan('2026-06-01T09:00:00.000Z', plan({ planId: 'pln_q', amount: 5_000, intervalCount: 3 })),
      changeQuantity('2026-06-20T09:00:00.000Z', 1),
      cancel('2026-10-03T09:00:00.000Z'),
    );
    const end = billableItems(events, '2027-01-01T00:00:00.000Z');
    for (let day = new Date('2026-01-01T00:00:00.000Z'); day < new Date('2027-01-01T00:00:00.000Z'); day = new Date(day.getTime() + 86_400_000)) {
      const then = billableItems(events, day.toISOString());
      expect(then, day.toISOString()).toEqual(end.slice(0, then.length));
    }
    expect(new Set(end.map((i) => i.key)).size).toBe(end.length);
  });
});

describe('a change at the very instant a period starts', () => {
  const JAN = '2029-01-01T10:00:00.000Z';
  const FEB = '2029-02-01T10:00:00.000Z';

  it('charges the period, then gives all of it back, on a pause: the same whether billing ran before the pause was recorded or not', () => {
    const billedFirst = billableItems(stream({ at: JAN }), FEB);
    const all = billableItems(stream({ at: JAN }, pause(FEB)), '2029-03-15T00:00:00.000Z');
    expect(all.slice(0, billedFirst.length)).toEqual(billedFirst);
    expect(lines(all)).toEqual([
      ['plan_charge', 1_000, '2029-01-01'],
      ['plan_charge', 1_000, '2029-02-01'],
      ['proration_credit', -1_000, '2029-02-01'],
    ]);
  });

  it('prices the period at the old plan, then credits and debits it whole, on a plan change', () => {
    const all = billableItems(stream({ at: JAN }, changePlan(FEB, plan({ planId: 'pln_big', amount: 2_500 }))), FEB);
    expect(lines(all)).toEqual([
      ['plan_charge', 1_000, '2029-01-01'],
      ['plan_charge', 1_000, '2029-02-01'],
      ['proration_credit', -1_000, '2029-02-01'],
      ['proration_debit', 2_500, '2029-02-01'],
    ]);
  });

  it('starts the new interval’s schedule there on an interval change at the anchor itself', () => {
    const yearly = plan({ planId: 'pln_year', amount: 12_000, interval: 'year' });
    const items = billableItems(stream({ at: JAN }, changePlan(JAN, yearly)), '2029-12-31T00:00:00.000Z');
    expect(lines(items)).toEqual([
      ['plan_charge', 1_000, '2029-01-01'],
      ['proration_credit', -1_000, '2029-01-01'],
      ['plan_charge', 12_000, '2029-01-01'],
    ]);
    expect(items.at(-1)!.period.end).toBe('2030-01-01T10:00:00.000Z');
  });

  it('bills the new interval from the period that starts there, never from the kept anchor, on a change at a later period start', () => {
    const yearly = plan({ planId: 'pln_year', amount: 9_000, interval: 'year' });
    const events = stream({ at: JAN, plan: yearly }, changePlan('2030-01-01T10:00:00.000Z', plan({ planId: 'pln_month', amount: 500 })));
    expect(lines(billableItems(events, '2030-02-15T00:00:00.000Z'))).toEqual([
      ['plan_charge', 9_000, '2029-01-01'],
      ['plan_charge', 9_000, '2030-01-01'],
      ['proration_credit', -9_000, '2030-01-01'],
      ['plan_charge', 500, '2030-01-01'],
      ['plan_charge', 500, '2030-02-01'],
    ]);
  });

  it('bills nothing from a scheduled cancellation’s instant on, even before the scheduler records it', () => {
    const scheduled = stream({ at: JAN }, cancel('2029-01-20T00:00:00.000Z', { atPeriodEnd: true }));
    expect(starts(billableItems(scheduled, '2029-03-15T00:00:00.000Z'))).toEqual(['2029-01-01']);
    expect(billingAt(scheduled, '2029-01-21T00:00:00.000Z').nextDueAt).toBeUndefined();
    const recorded = stream({ at: JAN }, cancel('2029-01-20T00:00:00.000Z', { atPeriodEnd: true }), cancel('2029-02-01T10:00:05.000Z'));
    expect(starts(billableItems(recorded, '2029-03-15T00:00:00.000Z'))).toEqual(['2029-01-01']);
  });

  it('lets a scheduled cancellation end the year an upgrade to yearly then paid for, not the month it was scheduled in', () => {
    const yearly = plan({ planId: 'pln_year', amount: 12_000, interval: 'year' });
    const events = stream({ at: JAN }, cancel('2029-01-10T10:00:00.000Z', { atPeriodEnd: true }), changePlan('2029-01-20T10:00:00.000Z', yearly));
    expect(lines(billableItems(events, '2030-06-01T00:00:00.000Z'))).toEqual([
      ['plan_charge', 1_000, '2029-01-01'],
      ['proration_credit', -387, '2029-01-20'],
      ['plan_charge', 12_000, '2029-01-20'],
    ]);
    expect(billingAt(events, '2029-01-21T00:00:00.000Z').nextDueAt).toBeUndefined();
  });
});

describe('properties over random histories', () => {
  const DAY = 86_400_000;
  const step = fc.oneof(
    fc.integer({ min: 1, max: 9 }).map((q) => (at: string) => changeQuantity(at, q)),
    fc.constantFrom(500, 1_000, 2_500).map((amount) => (at: string) => changePlan(at, plan({ planId: `pln_${amount}`, amount }))),
    fc.constantFrom(
      plan({ planId: 'pln_quarter', amount: 2_700, intervalCount: 3 }),
      plan({ planId: 'pln_year', amount: 9_000, interval: 'year' }),
    ).map((to) => (at: string) => changePlan(at, to)),
    fc.constant((at: string) => pause(at)),
    fc.constant((at: string) => resume(at)),
  );
  const history = fc.record({
    anchorDay: fc.integer({ min: 0, max: 364 }),
    steps: fc.array(fc.tuple(fc.integer({ min: 1, max: 40 }), step), { maxLength: 12 }),
  });

  it('never gives back more than was billed for a charge, and never changes what fell due', () => {
    fc.assert(
      fc.property(history, ({ anchorDay, steps }) => {
        let at = Date.UTC(2026, 0, 1, 9) + anchorDay * DAY;
        const created = new Date(at).toISOString();
        const timed = steps.map(([gap, make]) => {
          at += gap * DAY;
          return make(new Date(at).toISOString());
        });
        // Steps the decider refuses (resuming a running one, say) are left out, as the API would refuse them.
        const events = streamSkippingRefusals({ at: created }, ...timed);
        const end = new Date(at + 400 * DAY).toISOString();
        const items = billableItems(events, end);
        const billed = new Map(items.filter((i) => i.amount > 0).map((i) => [i.key, i.amount]));
        const given = new Map<string, number>();
        for (const credit of items.filter((i) => i.type === 'proration_credit')) {
          const charge = credit.key.split(':').slice(2).join(':');
          given.set(charge, (given.get(charge) ?? 0) - credit.amount);
        }
        for (const [charge, amount] of given) expect(amount).toBeLessThanOrEqual(billed.get(charge)!);
        const midway = billableItems(events, new Date(at).toISOString());
        expect(midway).toEqual(items.slice(0, midway.length));
      }),
      { numRuns: 300 },
    );
  });

  // Monthly plans anchored on the 1st–28th, and changes on the anchor's day (a period's very start) as often as not.
  const onPeriodStarts = fc.record({
    month: fc.integer({ min: 0, max: 11 }),
    day: fc.integer({ min: 1, max: 28 }),
    steps: fc.array(fc.tuple(fc.oneof(fc.constant('next period start' as const), fc.integer({ min: 1, max: 40 })), step), { maxLength: 10 }),
  });

  it('bills, whenever a run comes, only what stays owed once later events are recorded', () => {
    fc.assert(
      fc.property(onPeriodStarts, ({ month, day, steps }) => {
        let at = Date.UTC(2026, month, day, 9);
        const created = new Date(at).toISOString();
        const timed = steps.map(([gap, make]) => {
          const d = new Date(at);
          at = gap === 'next period start' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, day, 9) : at + gap * DAY;
          return make(new Date(at).toISOString());
        });
        const events = streamSkippingRefusals({ at: created }, ...timed);
        const items = billableItems(events, new Date(at + 400 * DAY).toISOString());
        // A run at an event's instant, before that event was recorded, sees only the events before it.
        for (let k = 1; k < events.length; k++) {
          const runAt = effectiveAt(events[k]!.event);
          if (runAt === undefined) continue;
          const billed = billableItems(events.slice(0, k), runAt);
          expect(items.slice(0, billed.length)).toEqual(billed);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('when the next item falls due', () => {
  const at = (events: ReturnType<typeof stream>, until: string) => billingAt(events, until).nextDueAt;

  it('is the next period start from the anchor, a trial end, or nothing once paused or ended', () => {
    expect(at(stream({ at: '2026-01-31T10:00:00.000Z' }), '2026-02-10T00:00:00.000Z')).toBe('2026-02-28T10:00:00.000Z');
    expect(at(stream({ at: '2026-01-31T10:00:00.000Z' }), '2026-02-28T10:00:00.000Z')).toBe('2026-03-31T10:00:00.000Z');
    expect(at(stream({ at: '2026-03-01T00:00:00.000Z', plan: plan({ trialDays: 14 }) }), '2026-03-02T00:00:00.000Z')).toBe('2026-03-15T00:00:00.000Z');
    expect(at(stream({ at: '2026-03-01T00:00:00.000Z' }, pause('2026-03-05T00:00:00.000Z')), '2026-06-01T00:00:00.000Z')).toBeUndefined();
    expect(at(stream({ at: '2026-03-01T00:00:00.000Z' }, cancel('2026-03-05T00:00:00.000Z')), '2026-06-01T00:00:00.000Z')).toBeUndefined();
  });

  it('is an event recorded after the instant asked about, when it comes first', () => {
    const events = stream({ at: '2026-03-01T00:00:00.000Z' }, changeQuantity('2026-03-10T00:00:00.000Z', 2));
    expect(at(events, '2026-03-05T00:00:00.000Z')).toBe('2026-03-10T00:00:00.000Z');
  });
});
