import type { Instant, Int8, NullableInstant } from '../../db/index.js';
import type { ContractStatus } from '../../domain/contract/index.js';


export type ContractsTable = {
  contract_id: string;
  customer_id: string;
  title: string;
  terms: string | null;
  starts_at: Instant;
  ends_at: NullableInstant;
  status: ContractStatus;
  /** When it was activated (from DRAFT). */
  activated_at: NullableInstant;
  /** When the current suspension began; null unless SUSPENDED. */
  suspended_at: NullableInstant;
  /** When it was terminated or expired. */
  ended_at: NullableInstant;
  revision: Int8;
  created_at: Instant;
  updated_at: Instant;
};

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type ContractTables = {
  'read.contracts': ContractsTable;
};
