import { safeText } from '../../domain/shared/index.js';
import { MAX_INT8 } from '../../eventstore/index.js';

/**
 * Keyset pages (SPEC §8): queries fetch one row more than `limit`; that extra
 * row only says there is a next page, which starts after the last row shown.
 */
export const page = <Row, Out = Row>(
  rows: readonly Row[],
  limit: number,
  cursorOf: (last: Row) => string,
  present: (row: Row) => Out = (row) => row as unknown as Out,
) => {
  const shown = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return {
    data: shown.map(present),
    page: { hasMore, nextCursor: hasMore ? cursorOf(shown[shown.length - 1]!) : null },
  };
};

/**
 * An opaque cursor over a text key. Decoding checks the key it carries, so a
 * forged cursor is a 400, never a query with bytes PostgreSQL refuses.
 */
export const keysetCursor = (isKey: (key: string) => boolean) => ({
  encode: (key: string) => Buffer.from(key).toString('base64url'),
  schema: safeText
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/, 'not a cursor')
    .transform((text, ctx) => {
      const key = Buffer.from(text, 'base64url').toString();
      if (!isKey(key)) ctx.addIssue({ code: 'custom', message: 'not a cursor' });
      return key;
    }),
});

/** A bigint keyset cursor (an identity column): digits, within PostgreSQL's int8. */
export const int8Cursor = safeText.refine((text) => /^\d{1,19}$/.test(text) && BigInt(text) <= MAX_INT8, 'not a cursor');
