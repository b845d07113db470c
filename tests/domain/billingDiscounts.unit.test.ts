import { describe, expect, it } from 'vitest';
import { coveredKeys, discountSpans, type BillableItem } from '../../src/domain/billing/index.js';

/** Which items a coupon covers: from when it was applied, for its duration in periods, until it was removed. */
const charge = (month: number): BillableItem => {
  const start = `2026-${String(month).padStart(2, '0')}-01T00:00:00.000Z`;
  const end = `2026-${String(month + 1).padStart(2, '0')}-01T00:00:00.000Z`;
  return { key: `charge:${start}`, invoiceKey: `period:${start}`, type: 'plan_charge', description: 'Basic', planId: 'pln', quantity: 1, unitAmount: 1_000, amount: 1_000, currency: 'usd', period: { start, end }, dueAt: start };
};
const debit = (at: string): BillableItem => ({ ...charge(3), key: `debit:${at}`, type: 'proration_debit', dueAt: at });
const charges = [2, 3, 4, 5, 6].map(charge);
const applied = (duration: 'once' | 'repeating' | 'forever', appliedAt: string, durationInPeriods?: number) => ({
  type: 'CustomerDiscountApplied',
  data: { couponId: 'cpn', redemptionId: 'red', percentOff: '10', duration, ...(durationInPeriods !== undefined && { durationInPeriods }), appliedAt },
});
const removed = (removedAt: string) => ({ type: 'CustomerDiscountRemoved', data: { couponId: 'cpn', redemptionId: 'red', removedAt } });
const spansOf = (...events: { type: string; data: unknown }[]) => discountSpans(events, 'CustomerDiscountApplied', 'CustomerDiscountRemoved');
const covered = (events: { type: string; data: unknown }[], items: readonly BillableItem[] = charges) => spansOf(...events).flatMap((s) => coveredKeys(s, items, charges));

describe('Coupon durations, over the items a subscription bills', () => {
  it('given a coupon applied mid-February for once, then it covers March (the first charge due after it) and a change within March, nothing else', () => {
    const items = [...charges, debit('2026-03-20T00:00:00.000Z')];
    expect(covered([applied('once', '2026-02-10T00:00:00.000Z')], items)).toEqual(['charge:2026-03-01T00:00:00.000Z', 'debit:2026-03-20T00:00:00.000Z']);
  });

  it('given repeating for 2 periods, then March and April', () => {
    expect(covered([applied('repeating', '2026-02-10T00:00:00.000Z', 2)])).toEqual(['charge:2026-03-01T00:00:00.000Z', 'charge:2026-04-01T00:00:00.000Z']);
  });

  it('given forever, removed in mid-May, then March, April and May, and nothing after', () => {
    expect(covered([applied('forever', '2026-02-10T00:00:00.000Z'), removed('2026-05-15T00:00:00.000Z')])).toEqual([
      'charge:2026-03-01T00:00:00.000Z',
      'charge:2026-04-01T00:00:00.000Z',
      'charge:2026-05-01T00:00:00.000Z',
    ]);
  });

  it('given a coupon applied at the instant a charge falls due, then that charge is covered', () => {
    expect(covered([applied('once', '2026-04-01T00:00:00.000Z')])).toEqual(['charge:2026-04-01T00:00:00.000Z']);
  });

  it('given a coupon removed and applied again, then its periods count from when it was first applied: removing it never starts it over', () => {
    const once = spansOf(applied('once', '2026-02-10T00:00:00.000Z'), removed('2026-02-11T00:00:00.000Z'), applied('once', '2026-04-10T00:00:00.000Z'));
    expect(once.map((s) => coveredKeys(s, charges, charges))).toEqual([[], []]);
    const twice = spansOf(applied('repeating', '2026-02-10T00:00:00.000Z', 3), removed('2026-03-15T00:00:00.000Z'), applied('repeating', '2026-04-01T00:00:00.000Z', 3));
    // March, April and May are its three periods; removed in mid-March, it is back for April and May, and no longer.
    expect(twice.map((s) => coveredKeys(s, charges, charges))).toEqual([['charge:2026-03-01T00:00:00.000Z'], ['charge:2026-04-01T00:00:00.000Z', 'charge:2026-05-01T00:00:00.000Z']]);
  });
});
