import { z } from 'zod';

/**
 * PostgreSQL's `text` and `jsonb` refuse NUL, and JSON text with an unpaired
 * UTF-16 surrogate cannot be stored either. A string with either would be
 * accepted by a schema, then fail at the first write with a 500, possibly
 * after earlier writes of the same command. So every string taken from outside
 * passes this check first.
 */
export const isSafeText = (value: string): boolean => !value.includes('\u0000') && value.isWellFormed();

export const UNSAFE_TEXT_MESSAGE = 'must not contain NUL characters or unpaired surrogates';

/** The one string schema for input from the API and the CLI. */
export const safeText = z.string().refine(isSafeText, UNSAFE_TEXT_MESSAGE);

/** A person-facing name: trimmed, not empty, bounded. */
export const displayText = (max: number) => safeText.trim().pipe(z.string().min(1, 'must not be empty').max(max));

/** Emails are compared lowercased and trimmed; the reservation stream is keyed on that form. */
export const emailText = safeText.trim().toLowerCase().pipe(z.email().max(254));

/** Finds the first unsafe string anywhere in a parsed value (keys included); returns its path. */
export const findUnsafeText = (value: unknown, path: string[] = []): string[] | undefined => {
  if (typeof value === 'string') return isSafeText(value) ? undefined : path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnsafeText(value[i], [...path, String(i)]);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (!isSafeText(key)) return [...path, key];
      const found = findUnsafeText(inner, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
};
