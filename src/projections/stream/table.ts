import type { ColumnType } from 'kysely';
import type { Int8 } from '../../db/index.js';

export type StreamsTable = {
  stream_name: string;
  category: string;
  last_revision: Int8;
  event_count: Int8;
  last_event_type: string;
  first_recorded_at: ColumnType<Date, Date, Date>;
  last_recorded_at: ColumnType<Date, Date, Date>;
};

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type StreamTables = {
  'read.streams': StreamsTable;
};
