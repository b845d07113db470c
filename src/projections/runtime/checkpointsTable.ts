import type { ColumnType } from 'kysely';
import type { Int8 } from '../../db/index.js';

export type ProjectionCheckpointsTable = {
  name: string;
  commit: Int8 | null;
  prepare: Int8 | null;
  events_applied: ColumnType<string, bigint | string | number | undefined, bigint | string | number>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
};

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type CheckpointTables = {
  'read.projection_checkpoints': ProjectionCheckpointsTable;
};
