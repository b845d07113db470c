import type { Instant } from '../../db/index.js';
import type { ColumnType } from 'kysely';


/** api.idempotency_keys: one stored answer (or one request holding the key) per principal and key. */
export type IdempotencyKeysTable = {
  principal_id: string;
  key: string;
  /** sha-256, hex, of method, path, query and canonical body. */
  fingerprint: string;
  status: 'in_progress' | 'done';
  /** Who holds the key: every write of the holder checks it, so one whose lease was taken over writes nothing. */
  holder: string;
  locked_until: Instant | null;
  response_status: number | null;
  response_headers: ColumnType<Record<string, string> | null, string | null, string | null>;
  response_body: string | null;
  created_at: Instant;
};

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type IdempotencyTables = {
  'api.idempotency_keys': IdempotencyKeysTable;
};
