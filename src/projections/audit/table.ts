import type { ColumnType, Generated } from 'kysely';
import type { Int8 } from '../../db/index.js';

export type AuditLogTable = {
  id: Generated<string>;
  event_id: string;
  position_commit: Int8;
  position_prepare: Int8;
  stream_name: string;
  event_type: string;
  actor_id: string;
  actor_role: string | null;
  source: string;
  correlation_id: string;
  occurred_at: ColumnType<Date, Date | string, never>;
  recorded_at: ColumnType<Date, Date | string, never>;
  changes: ColumnType<unknown, string, never>;
};

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type AuditTables = {
  'read.audit_log': AuditLogTable;
};
