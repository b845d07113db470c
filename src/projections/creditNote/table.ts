import type { ColumnType } from 'kysely';
import type { Instant, Int8, NullableInstant } from '../../db/index.js';

/** One row per credit note, as its document stream has it; `lines` is [{ itemKey, amount }]. */
export type CreditNotesTable = {
  credit_note_id: string;
  number: string;
  invoice_id: string;
  customer_id: string;
  status: string;
  currency: string;
  reason: string;
  memo: string | null;
  amount: Int8;
  /** The tax it gives back, inclusive and exclusive (its lines carry each one's share). */
  tax: ColumnType<string, number | undefined, number>;
  /** By rate, `[{taxRateId, inclusive, amount}]`; and the part of each its refund pays back. */
  taxes: ColumnType<unknown, string | undefined, string>;
  refund_taxes: ColumnType<unknown, string | undefined, string>;
  pre_payment: Int8;
  refund: Int8;
  credit: Int8;
  out_of_band: Int8;
  automatic: boolean;
  lines: ColumnType<unknown, string, string>;
  issued_at: Instant;
  voided_at: NullableInstant;
  revision: Int8;
};

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type CreditNoteTables = { 'read.credit_notes': CreditNotesTable };
