import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addMoney, allocate, money, MoneyError, prorate, subtractMoney, sumMoney } from '../../src/domain/shared/money.js';

const expectMoneyError = (fn: () => unknown, reason: string) => {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(MoneyError);
  expect((thrown as MoneyError).reason).toBe(reason);
};

describe('money', () => {
  it('adds and subtracts in one currency', () => {
    expect(addMoney(money(1_999, 'eur'), money(1, 'eur'))).toEqual({ amount: 2_000, currency: 'eur' });
    expect(subtractMoney(money(500, 'usd'), money(700, 'usd'))).toEqual({ amount: -200, currency: 'usd' });
    expect(sumMoney([], 'gbp')).toEqual({ amount: 0, currency: 'gbp' });
  });

  it('refuses to mix currencies, overflow, fractions and odd currency codes', () => {
    expectMoneyError(() => addMoney(money(1, 'eur'), money(1, 'usd')), 'money.currency_mismatch');
    expectMoneyError(() => addMoney(money(Number.MAX_SAFE_INTEGER, 'eur'), money(1, 'eur')), 'money.unsafe_amount');
    expectMoneyError(() => money(19.99, 'eur'), 'money.unsafe_amount');
    expectMoneyError(() => money(1, 'EUR'), 'money.invalid_currency');
    expectMoneyError(() => prorate(100, 1, 0), 'money.invalid_fraction');
    expectMoneyError(() => prorate(100, 0.5, 1), 'money.invalid_fraction');
  });

  it('prorates exactly and rounds once, half to even', () => {
    expect(prorate(1_000, 15, 30)).toBe(500);
    // Stripe's example: $10 → $20 at half the period is −$5 + $10.
    expect(-prorate(1_000, 15, 30) + prorate(2_000, 15, 30)).toBe(500);
    expect(prorate(5, 1, 2)).toBe(2); // 2.5 → 2
    expect(prorate(7, 1, 2)).toBe(4); // 3.5 → 4
    expect(prorate(-7, 1, 2)).toBe(-4);
    expect(prorate(1_000, 1, 3)).toBe(333);
    expect(prorate(Number.MAX_SAFE_INTEGER, 7, 7)).toBe(Number.MAX_SAFE_INTEGER);
  });
});

const amount = fc.integer({ min: -1e12, max: 1e12 });
const days = fc.integer({ min: 1, max: 366 });

describe('prorate, for any amount and period', () => {
  it('returns the amount for a full fraction', () =>
    fc.assert(
      fc.property(amount, days, (a, d) => {
        expect(prorate(a, d, d)).toBe(a);
      }),
    ));

  it('splits a period at any day into parts that add up to the whole, within one minor unit', () =>
    fc.assert(
      fc.property(amount, days, fc.nat(), (a, d, at) => {
        const k = at % (d + 1);
        expect(Math.abs(prorate(a, k, d) + prorate(a, d - k, d) - a)).toBeLessThanOrEqual(1);
      }),
    ));

  it('never answers a fraction of a minor unit or an unsafe number', () =>
    fc.assert(
      fc.property(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), days, fc.nat(), (a, d, at) => {
        expect(Number.isSafeInteger(prorate(a, at % (d + 1), d))).toBe(true);
      }),
    ));
});

describe('allocate', () => {
  it('splits exactly, the leftover units to the largest remainders', () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(10, [3, 7])).toEqual([3, 7]);
    expect(allocate(1, [0, 5, 5])).toEqual([0, 1, 0]);
    expect(allocate(0, [0, 0])).toEqual([0, 0]);
    expect(() => allocate(1, [0, 0])).toThrow(MoneyError);
    expect(() => allocate(1, [1.5])).toThrow(MoneyError);
  });

  it('spreads over weights of both signs, each share within one unit of its exact part, summing exactly', () => {
    expect(allocate(10, [30, -10])).toEqual([15, -5]);
    expect(allocate(-7, [3, 4])).toEqual([-3, -4]);
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.array(fc.integer({ min: -100_000, max: 100_000 }), { minLength: 1, maxLength: 10 }), (amount, weights) => {
        const total = weights.reduce((a, b) => a + b, 0);
        fc.pre(total !== 0);
        const shares = allocate(amount, weights);
        expect(shares.reduce((a, b) => a + b, 0)).toBe(amount);
        shares.forEach((s, i) => expect(Math.abs(s - (amount * weights[i]!) / total)).toBeLessThan(1));
      }),
    );
  });

  it('always sums to the amount, each share within one unit of its exact part', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10_000_000 }), fc.array(fc.nat({ max: 1_000_000 }), { minLength: 1, maxLength: 12 }), (amount, weights) => {
        fc.pre(weights.some((w) => w > 0));
        const shares = allocate(amount, weights);
        const total = weights.reduce((a, b) => a + b, 0);
        expect(shares.reduce((a, b) => a + b, 0)).toBe(amount);
        shares.forEach((s, i) => expect(Math.abs(s - (amount * weights[i]!) / total)).toBeLessThan(1));
      }),
    );
  });
});
