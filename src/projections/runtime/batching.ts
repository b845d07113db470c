import type { RecordedEvent } from '../../eventstore/index.js';

/** Rows per multi-row INSERT: PostgreSQL takes at most 65,535 parameters in a statement. */
const ROWS_PER_INSERT = 500;

export const inChunks = <T>(items: readonly T[], size = ROWS_PER_INSERT): T[][] => {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
};

/** The domain event a recorded one carries. */
export const domainEvent = <E>(recorded: RecordedEvent): E => ({ type: recorded.type, data: recorded.data }) as E;

/** Metadata maps as jsonb; absent or cleared is SQL null. */
export const jsonOrNull = (value: Readonly<Record<string, string>> | null | undefined): string | null =>
  value == null ? null : JSON.stringify(value);
