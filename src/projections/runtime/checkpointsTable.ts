import type { ColumnType } from 'kysely';
import type { Int8 } from '../../root/database.js';

export type ProjectionCheckpointsTable = {
  name: string;
  commit: Int8 | null;
  prepare: Int8 | null;
  events_applied: ColumnType<string, bigint | string | number | undefined, bigint | string | number>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
};
