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

/** Deeper than any request this API takes; deeper input is refused, not walked. */
export const MAX_INPUT_DEPTH = 32;

export type TextProblem = Readonly<{ kind: 'unsafe' | 'too_deep'; path: readonly string[] }>;

/**
 * The first unsafe string anywhere in a parsed value (keys included), or the
 * first place nested deeper than MAX_INPUT_DEPTH. Iterative, so no input can
 * exhaust the call stack.
 */
export const findUnsafeText = (root: unknown): TextProblem | undefined => {
  const pending: Array<{ value: unknown; path: readonly string[] }> = [{ value: root, path: [] }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { value, path } = item;
    if (typeof value === 'string') {
      if (!isSafeText(value)) return { kind: 'unsafe', path };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= MAX_INPUT_DEPTH) return { kind: 'too_deep', path };
    for (const [key, inner] of Object.entries(value)) {
      if (!isSafeText(key)) return { kind: 'unsafe', path: [...path, key] };
      pending.push({ value: inner, path: [...path, key] });
    }
  }
  return undefined;
};
