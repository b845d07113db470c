import { allocate, prorate, ValidationError } from '../shared/index.js';

/**
 * Tax on an invoice's lines. A rate is a percentage with up to four
 * decimals, inclusive (the line amounts contain it) or exclusive (it is added
 * to them). Per rate, tax is computed once, on the sum of the lines it applies
 * to, in exact rational arithmetic rounded half-even, then allocated back to
 * those lines by largest remainder, so that each line's share is known (what a
 * credit note of that line gives back) and the shares add up to the rate's
 * tax exactly. A proration credit line carries its own rate, so it gives back
 * the tax of what it credits.
 */
export type AppliedTaxRate = Readonly<{ taxRateId: string; displayName: string; jurisdiction: string; percentage: string; inclusive: boolean }>;

/** Millionths of the amount: a percentage of "8.25" is 82,500 (8.25 × 10,000). */
const PER = 1_000_000;
const PERCENTAGE = /^(\d{1,3})(?:\.(\d{1,4}))?$/;

/** A percentage as ten-thousandths of a percent; above 0 and at most 100, with at most four decimals. */
export const rateUnits = (percentage: string): number => {
  const m = PERCENTAGE.exec(percentage);
  const units = m ? Number(m[1]) * 10_000 + Number((m[2] ?? '').padEnd(4, '0')) : NaN;
  if (!(units > 0 && units <= 100 * 10_000)) {
    throw new ValidationError('tax_rate.invalid', `a percentage is above 0 and at most 100, with at most four decimals: not ${percentage}`, { field: 'percentage' });
  }
  return units;
};

export type RateTax = Readonly<{ taxRateId: string; inclusive: boolean; taxable: number; tax: number }>;

export type LinesTax = Readonly<{
  /** One per rate, in the order the rates first appear on the lines. */
  perRate: readonly RateTax[];
  /** Each line's share of its rate's tax, by the lines' order; 0 on a line without a rate. */
  perLine: readonly number[];
}>;

/** The tax of `amount` at a rate: added to it (exclusive), or the part of it that is tax (inclusive). */
export const taxAt = (amount: number, rate: Pick<AppliedTaxRate, 'percentage' | 'inclusive'>): number => {
  const units = rateUnits(rate.percentage);
  return rate.inclusive ? prorate(amount, units, PER + units) : prorate(amount, units, PER);
};

export const taxOf = (lines: readonly Readonly<{ amount: number; taxRateId?: string }>[], rates: ReadonlyMap<string, AppliedTaxRate>): LinesTax => {
  const perLine = lines.map(() => 0);
  const perRate: RateTax[] = [];
  const ids = [...new Set(lines.flatMap((l) => (l.taxRateId === undefined ? [] : [l.taxRateId])))];
  for (const taxRateId of ids) {
    const rate = rates.get(taxRateId);
    if (!rate) throw new ValidationError('tax_rate.not_found', `no tax rate ${taxRateId} for a line that names it`, { taxRateId });
    const indexes = lines.flatMap((l, i) => (l.taxRateId === taxRateId ? [i] : []));
    const taxable = indexes.reduce((sum, i) => sum + lines[i]!.amount, 0);
    const tax = taxAt(taxable, rate);
    // A sum of 0 (a credit that cancels a charge) has no tax to spread.
    const shares = taxable === 0 ? indexes.map(() => 0) : allocate(tax, indexes.map((i) => lines[i]!.amount));
    indexes.forEach((lineIndex, k) => (perLine[lineIndex] = shares[k]!));
    perRate.push({ taxRateId, inclusive: rate.inclusive, taxable, tax });
  }
  return { perRate, perLine };
};
