import type { ColumnType, Kysely, Transaction } from 'kysely';
import type { CredentialsTable, RefreshTokensTable } from '../accounts/index.js';
import type { AuditLogTable } from './audit/table.js';
import type { StreamsTable } from './streams/table.js';
import type { UsersTable } from './users/table.js';

/** bigint columns come back from pg as strings; they are written as bigint or string. */
export type Int8 = ColumnType<string, bigint | string | number, bigint | string | number>;

export type ProjectionCheckpointsTable = {
  name: string;
  commit: Int8 | null;
  prepare: Int8 | null;
  events_applied: ColumnType<string, bigint | string | number | undefined, bigint | string | number>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
};

/** Every table the app queries, one entry each: read models add theirs here, and so do the plain auth tables. */
export type Database = {
  'read.projection_checkpoints': ProjectionCheckpointsTable;
  'read.streams': StreamsTable;
  'read.users': UsersTable;
  'read.audit_log': AuditLogTable;
  'auth.credentials': CredentialsTable;
  'auth.refresh_tokens': RefreshTokensTable;
};

/** Query functions take either the database or a transaction as their first argument. */
export type Db = Kysely<Database> | Transaction<Database>;
