import type { Instant, Int8, NullableInstant } from '../../db/index.js';


export const PAYMENT_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/**
 * One row per payment attempt of an invoice: PENDING from the attempt until
 * the gateway's answer is recorded, then SUCCEEDED or FAILED, never again.
 */
export type PaymentsTable = {
  invoice_id: string;
  /** From 1, per invoice. */
  attempt: number;
  customer_id: string;
  subscription_id: string;
  /** What the attempt charges (the invoice's total then), minor units. */
  amount: Int8;
  currency: string;
  /** The gateway token the attempt used; null when the customer had none (it failed at once, uncharged). */
  payment_method: string | null;
  /** The gateway's key: a retried charge of the same attempt is the same charge. */
  idempotency_key: string;
  status: string;
  failure_code: string | null;
  /** A hard decline is never retried; null unless FAILED. */
  hard: boolean | null;
  charge_id: string | null;
  attempted_at: Instant;
  /** When the result was recorded. */
  settled_at: NullableInstant;
  /** The invoice stream's revision of the last event applied to the row. */
  revision: Int8;
};

/**
 * Whom each invoice bills, from its creation: the payments projection keeps
 * its own copy, so that it never depends on read.invoices (another
 * projection, at its own checkpoint) having caught up.
 */
export type PaymentInvoicesTable = {
  invoice_id: string;
  customer_id: string;
  subscription_id: string;
};

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type PaymentTables = {
  'read.payments': PaymentsTable;
  'read.payment_invoices': PaymentInvoicesTable;
};
