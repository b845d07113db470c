import type { Instant, Int8, NullableInstant } from '../../db/index.js';

/** One row per refund stream. */
export type RefundsTable = {
  refund_id: string;
  invoice_id: string;
  customer_id: string;
  charge_id: string;
  amount: Int8;
  currency: string;
  /** `credit_note` or `overpayment`. */
  cause_kind: string;
  credit_note_id: string | null;
  status: string;
  failure_code: string | null;
  gateway_refund_id: string | null;
  requested_at: Instant;
  settled_at: NullableInstant;
  revision: Int8;
};

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type RefundTables = { 'read.refunds': RefundsTable };
