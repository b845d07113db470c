import { Temporal } from 'temporal-polyfill';
import { ValidationError } from './errors.js';

/**
 * Instants in the domain are ISO 8601 strings with an offset, as they arrive
 * on commands and are stored in events. Compared as instants, never as text:
 * `10:00+05:00` is before `06:00Z`.
 */
export const parseInstant = (text: string, field = 'instant'): Temporal.Instant => {
  const ms = utcMillis(text);
  if (ms !== undefined) return Temporal.Instant.fromEpochMilliseconds(ms);
  try {
    return Temporal.Instant.from(text);
  } catch {
    throw new ValidationError('time.invalid_instant', `${field} is not an ISO 8601 instant with an offset: ${text}`, { field });
  }
};

const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/**
 * The epoch milliseconds of an instant in the form the application writes
 * (`2026-01-31T10:00:00.000Z`, to the millisecond), or undefined for any other
 * form, which Temporal then reads. Billing compares and counts days on
 * thousands of these a second, and Temporal's parser is the cost; Date reads
 * this one form exactly. The round trip refuses what Date would roll over
 * (Feb 30, 24:00).
 */
export const utcMillis = (text: string): number | undefined => {
  if (!CANONICAL.test(text)) return undefined;
  // Date reads text here, never the clock.
  // eslint-disable-next-line no-restricted-globals
  const ms = Date.parse(text);
  // eslint-disable-next-line no-restricted-globals
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 19) !== text.slice(0, 19)) return undefined;
  return ms;
};

export const compareInstants = (a: string, b: string): number => {
  const x = utcMillis(a);
  const y = utcMillis(b);
  if (x !== undefined && y !== undefined) return Math.sign(x - y);
  return Temporal.Instant.compare(parseInstant(a), parseInstant(b));
};
