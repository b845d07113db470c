import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { compareInstants, daysBetween, parseInstant, periodContaining, ValidationError } from '../../src/domain/shared/index.js';

/**
 * The application's instants (`…T10:00:00.000Z`) are read with Date, for speed,
 * and every other form with Temporal: the two readings must never differ.
 */
const MIN = new Date('0001-01-01T00:00:00.000Z').getTime();
const MAX = new Date('9999-12-31T23:59:59.999Z').getTime();
const canonical = fc.integer({ min: MIN, max: MAX }).map((ms) => new Date(ms).toISOString());
/** The same instant in forms Temporal reads: another offset, no fraction, nanoseconds. */
const viaTemporal = (text: string) => Temporal.Instant.from(text);

describe('instants in the application’s own form', () => {
  it('compare as Temporal compares them', () => {
    fc.assert(
      fc.property(canonical, canonical, (a, b) => {
        expect(compareInstants(a, b)).toBe(Temporal.Instant.compare(viaTemporal(a), viaTemporal(b)));
      }),
    );
  });

  it('count whole days as Temporal counts them', () => {
    fc.assert(
      fc.property(canonical, canonical, (a, b) => {
        const expected = viaTemporal(a).toZonedDateTimeISO('UTC').toPlainDate().until(viaTemporal(b).toZonedDateTimeISO('UTC').toPlainDate(), { largestUnit: 'days' }).days;
        expect(daysBetween(a, b)).toBe(expected);
      }),
    );
  });

  it('parse to the instant Temporal parses', () => {
    fc.assert(
      fc.property(canonical, (a) => {
        expect(parseInstant(a).epochNanoseconds).toBe(viaTemporal(a).epochNanoseconds);
      }),
    );
  });

  it('are compared with any other form as instants', () => {
    expect(compareInstants('2026-01-31T10:00:00+05:00', '2026-01-31T06:00:00.000Z')).toBe(-1);
    expect(compareInstants('2026-01-31T06:00:00.000000001Z', '2026-01-31T06:00:00.000Z')).toBe(1);
    expect(daysBetween('2026-01-31T23:30:00-01:00', '2026-02-01T00:00:00.000Z')).toBe(0);
  });

  it('refuse what Date would roll over', () => {
    for (const bad of ['2026-02-30T00:00:00.000Z', '2026-01-01T24:00:00.000Z', '2026-13-01T00:00:00.000Z']) {
      expect(() => parseInstant(bad)).toThrow(ValidationError);
      expect(() => periodContaining({ anchor: bad, interval: 'month', intervalCount: 1 }, '2026-03-01T00:00:00.000Z')).toThrow(ValidationError);
    }
  });
});
