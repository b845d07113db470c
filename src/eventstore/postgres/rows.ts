import type { EventMetadata, Position, RecordedEvent } from '../core/index.js';

/** Column list shared by every read so the mapping below has one source. */
export const EVENT_COLUMNS = `e.transaction_id::text as tx, e.global_position::text as pos,
  e.stream_name, e.revision::text as revision, e.event_id::text as event_id, e.type,
  e.data, e.metadata, e.recorded_at`;

export type EventRow = {
  tx: string;
  pos: string;
  stream_name: string;
  revision: string;
  event_id: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date;
};

export const toPosition = (tx: string, pos: string): Position => ({
  commit: BigInt(tx),
  prepare: BigInt(pos),
});

export const toRecordedEvent = (row: EventRow): RecordedEvent => ({
  eventId: row.event_id,
  type: row.type,
  data: row.data,
  metadata: row.metadata,
  streamName: row.stream_name,
  revision: BigInt(row.revision),
  position: toPosition(row.tx, row.pos),
  recordedAt: row.recorded_at,
});

/** `LIKE` patterns for stream-name prefixes, with the wildcards in names escaped. */
export const prefixPatterns = (prefixes: readonly string[] | undefined): string[] | null =>
  prefixes ? prefixes.map((p) => `${p.replace(/[\\%_]/g, (c) => `\\${c}`)}%`) : null;
