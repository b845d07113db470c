import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rateUnits, taxAt, taxOf, type AppliedTaxRate } from '../../src/domain/invoice/tax.js';
import { ValidationError } from '../../src/domain/shared/index.js';

const rate = (taxRateId: string, percentage: string, inclusive = false): AppliedTaxRate => ({ taxRateId, displayName: taxRateId, jurisdiction: 'XX', percentage, inclusive });

describe('tax rates', () => {
  it('reads a percentage with up to four decimals, above 0 and at most 100', () => {
    expect(rateUnits('8.25')).toBe(82_500);
    expect(rateUnits('19')).toBe(190_000);
    expect(rateUnits('0.0001')).toBe(1);
    expect(rateUnits('100')).toBe(1_000_000);
    for (const bad of ['0', '100.0001', '8.12345', '-1', '1e2', ' 8', '8.', '']) expect(() => rateUnits(bad), bad).toThrow(ValidationError);
  });

  it('computes exclusive tax on top, inclusive tax inside, each rounded once half-even', () => {
    expect(taxAt(10_000, rate('a', '8.25'))).toBe(825);
    expect(taxAt(11_900, rate('b', '19', true))).toBe(1_900);
    // 0.5 of a cent rounds to even: 2.5 → 2, 3.5 → 4.
    expect(taxAt(50, rate('c', '5'))).toBe(2);
    expect(taxAt(70, rate('c', '5'))).toBe(4);
    expect(taxAt(-1_000, rate('a', '8.25'))).toBe(-82);
  });

  it('taxes each rate once on the sum of its lines, and allocates it back exactly; a credit line carries its tax back', () => {
    const rates = new Map([['r1', rate('r1', '10')], ['r2', rate('r2', '7.5', true)]]);
    const { perRate, perLine } = taxOf(
      [{ amount: 333, taxRateId: 'r1' }, { amount: 333, taxRateId: 'r1' }, { amount: 334, taxRateId: 'r1' }, { amount: 1_075, taxRateId: 'r2' }, { amount: 500 }, { amount: -100, taxRateId: 'r1' }],
      rates,
    );
    expect(perRate).toEqual([
      { taxRateId: 'r1', inclusive: false, taxable: 900, tax: 90 },
      { taxRateId: 'r2', inclusive: true, taxable: 1_075, tax: 75 },
    ]);
    expect(perLine).toEqual([33, 33, 34, 75, 0, -10]);
  });

  it('over any lines and rates, each rate’s shares sum to its tax, which is its sum taxed once', () => {
    const percentage = fc.tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 9_999 })).map(([w, f]) => (w === 0 && f === 0 ? '1' : `${w}.${String(f).padStart(4, '0')}`));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(percentage, fc.boolean()), { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.integer({ min: -50_000, max: 200_000 }), fc.nat({ max: 3 })), { minLength: 1, maxLength: 12 }),
        (rs, ls) => {
          const rates = new Map(rs.map(([p, inclusive], i) => [`r${i}`, rate(`r${i}`, p, inclusive)]));
          const lines = ls.map(([amount, r]) => (r < rs.length ? { amount, taxRateId: `r${r}` } : { amount }));
          const { perRate, perLine } = taxOf(lines, rates);
          for (const t of perRate) {
            const mine = lines.flatMap((l, i) => (l.taxRateId === t.taxRateId ? [i] : []));
            expect(mine.reduce((sum, i) => sum + perLine[i]!, 0)).toBe(t.tax);
            expect(t.taxable).toBe(mine.reduce((sum, i) => sum + lines[i]!.amount, 0));
            expect(t.tax).toBe(taxAt(t.taxable, rates.get(t.taxRateId)!));
          }
          lines.forEach((l, i) => l.taxRateId === undefined && expect(perLine[i]).toBe(0));
        },
      ),
    );
  });
});
