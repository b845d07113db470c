import { Temporal } from 'temporal-polyfill';
import { ValidationError } from './errors.js';

/**
 * Instants in the domain are ISO 8601 strings with an offset, as they arrive
 * on commands and are stored in events. Compared as instants, never as text:
 * `10:00+05:00` is before `06:00Z`.
 */
export const parseInstant = (text: string, field = 'instant'): Temporal.Instant => {
  try {
    return Temporal.Instant.from(text);
  } catch {
    throw new ValidationError('time.invalid_instant', `${field} is not an ISO 8601 instant with an offset: ${text}`, { field });
  }
};

export const compareInstants = (a: string, b: string): number => Temporal.Instant.compare(parseInstant(a), parseInstant(b));
