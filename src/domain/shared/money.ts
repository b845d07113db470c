import { ValidationError } from './errors.js';

/**
 * Money is a safe integer of minor units (cents) and an ISO 4217 currency in
 * lower case. Never a float: every operation checks its result is still a safe
 * integer, and prorating is exact rational arithmetic, rounded once.
 */
export type Money = Readonly<{ amount: number; currency: string }>;

export class MoneyError extends ValidationError {}

const CURRENCY = /^[a-z]{3}$/;

const assertSafe = (amount: number, what: string): number => {
  if (!Number.isSafeInteger(amount)) throw new MoneyError('money.unsafe_amount', `${what} is not a safe integer of minor units: ${amount}`);
  return amount;
};

export const money = (amount: number, currency: string): Money => {
  if (!CURRENCY.test(currency)) throw new MoneyError('money.invalid_currency', `not an ISO 4217 currency in lower case: ${currency}`);
  return { amount: assertSafe(amount, 'the amount'), currency };
};

const sameCurrency = (a: Money, b: Money): string => {
  if (a.currency !== b.currency) {
    throw new MoneyError('money.currency_mismatch', `cannot combine ${a.currency} and ${b.currency}`, {
      currencies: [a.currency, b.currency],
    });
  }
  return a.currency;
};

export const addMoney = (a: Money, b: Money): Money => {
  const currency = sameCurrency(a, b);
  return { amount: assertSafe(a.amount + b.amount, 'the sum'), currency };
};

export const subtractMoney = (a: Money, b: Money): Money => {
  const currency = sameCurrency(a, b);
  return { amount: assertSafe(a.amount - b.amount, 'the difference'), currency };
};

/** A sum of many amounts in one currency; an empty list is zero in `currency`. */
export const sumMoney = (amounts: readonly Money[], currency: string): Money =>
  amounts.reduce(addMoney, money(0, currency));

/** q = n / d rounded half to even, for n ≥ 0 and d > 0. */
const divideHalfEven = (n: bigint, d: bigint): bigint => {
  const q = n / d;
  const twice = 2n * (n - q * d);
  if (twice > d || (twice === d && q % 2n === 1n)) return q + 1n;
  return q;
};

const wholeNumber = (value: number | bigint, what: string): bigint => {
  if (typeof value === 'bigint') return value;
  if (!Number.isSafeInteger(value)) throw new MoneyError('money.invalid_fraction', `${what} must be a whole number, got ${value}`);
  return BigInt(value);
};

/**
 * `amount × numerator / denominator` in exact rational arithmetic, rounded
 * once, half to even (banker's rounding: no drift up or down over many lines).
 * The only place anything is prorated.
 */
export const prorate = (amount: number, numerator: number | bigint, denominator: number | bigint): number => {
  assertSafe(amount, 'the amount');
  const n = wholeNumber(numerator, 'the numerator');
  const d = wholeNumber(denominator, 'the denominator');
  if (d <= 0n || n < 0n) {
    throw new MoneyError('money.invalid_fraction', `a fraction needs a numerator ≥ 0 and a denominator > 0, got ${n}/${d}`);
  }
  const magnitude = divideHalfEven(BigInt(Math.abs(amount)) * n, d);
  const result = Number(amount < 0 ? -magnitude : magnitude);
  return assertSafe(result, 'the prorated amount');
};

/**
 * `amount` split in proportion to `weights`, in whole minor units that sum to
 * exactly `amount`: each share rounded down, then the units left over go one
 * each to the largest remainders (ties to the earlier weight). Used wherever
 * one sum is spread over several parts (a credit note over an invoice's
 * lines, tax over the lines it applies to), so that parts never add up to a
 * cent more or less than the whole. Weights may be negative (a credit among
 * charges) as long as they do not sum to 0; each share is then within one
 * unit of its exact part.
 */
export const allocate = (amount: number, weights: readonly number[]): number[] => {
  if (!Number.isSafeInteger(amount)) throw new MoneyError('money.invalid_allocation', `an allocated amount is a whole number, not ${amount}`);
  if (weights.some((w) => !Number.isSafeInteger(w))) throw new MoneyError('money.invalid_allocation', 'weights are whole numbers');
  let total = weights.reduce((sum, w) => sum + BigInt(w), 0n);
  if (total === 0n) {
    if (amount === 0) return weights.map(() => 0);
    throw new MoneyError('money.invalid_allocation', `${amount} cannot be spread over weights that sum to 0`);
  }
  let exact = weights.map((w) => BigInt(amount) * BigInt(w));
  // A positive denominator, so that floor and remainder mean what they say.
  if (total < 0n) {
    total = -total;
    exact = exact.map((e) => -e);
  }
  const floorDiv = (n: bigint) => (n >= 0n ? n / total : -((-n + total - 1n) / total));
  const shares = exact.map(floorDiv);
  let left = BigInt(amount) - shares.reduce((sum, s) => sum + s, 0n);
  const byRemainder = exact.map((e, i) => ({ i, r: e - shares[i]! * total })).sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of byRemainder) {
    if (left === 0n) break;
    shares[i]! += 1n;
    left -= 1n;
  }
  return shares.map(Number);
};
