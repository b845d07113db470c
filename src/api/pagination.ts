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
