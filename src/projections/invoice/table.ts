import type { ColumnType } from 'kysely';
import type { Instant, Int8, NullableInstant } from '../../db/index.js';


/**
 * One row per invoice. The facts (customer, amounts, cause, period) are fixed
 * at creation; the status, the number, the status instants and the state of
 * its collection (payments and dunning) change.
 * A status instant, once set, stays: a paid invoice keeps when it was
 * finalised and, if it was, marked uncollectible, as the domain state does.
 */
export type InvoicesTable = {
  invoice_id: string;
  /** YYYY-NNNNNN, set when finalised; a draft, or a draft voided, has none. */
  number: string | null;
  customer_id: string;
  subscription_id: string;
  status: string;
  currency: string;
  subtotal: Int8;
  /** What coupons took off, less what proration credits gave back of earlier discounts. */
  discount: ColumnType<string, number | undefined, number>;
  tax: Int8;
  /** What the invoice bills, whatever pays it. */
  total: Int8;
  /** The customer's credit applied when it was created. */
  credit_applied: Int8;
  /** What succeeded charges paid of it (an overpayment is the customer's, not the invoice's). */
  amount_paid: Int8;
  /** What is still owed: total − credit applied − paid; 0 once paid or voided, kept while written off. */
  amount_due: Int8;
  /** `period` (a period came due) or `change` (a change to the subscription). */
  cause_kind: string;
  /** The event that changed the subscription, for a `change` invoice; the API's `cause.eventId`. */
  cause_event_id: string | null;
  /** A period invoice's period start (its cause); a change invoice's earliest line start. */
  period_start: Instant;
  /** The latest end of the invoice's lines. */
  period_end: Instant;
  created_at: Instant;
  finalized_at: NullableInstant;
  voided_at: NullableInstant;
  paid_at: NullableInstant;
  marked_uncollectible_at: NullableInstant;
  /** Payment attempts made (the last attempt's number). */
  attempts: ColumnType<number, number | undefined, number>;
  /** When the next automatic retry is due; set only while OPEN. */
  next_retry_at: NullableInstant;
  /** When grace ends (or ended, on an invoice written off when it did); null once paid, voided or dunning stopped. */
  grace_ends_at: NullableInstant;
  /** When an operator stopped dunning; kept once set. */
  dunning_stopped_at: NullableInstant;
  /** The code of the last failed attempt; null until one fails. */
  last_failure_code: string | null;
  /** `grace_ended` when dunning ran out; null when an operator wrote it off, or it never was. */
  uncollectible_reason: string | null;
  /** The invoice stream's revision: the API's ETag. */
  revision: Int8;
  updated_at: Instant;
};

/** The lines in the invoice's order, fixed at creation: never updated, a replay inserts nothing. */
export type InvoiceLinesTable = {
  invoice_id: string;
  /** The line's place on the invoice, from 1. */
  line_no: number;
  type: string;
  item_key: string;
  description: string;
  /** bigint: the invoice takes any safe integer, and a value the column refused would stop the read model. */
  quantity: Int8;
  unit_amount: Int8;
  amount: Int8;
  currency: string;
  period_start: Instant;
  period_end: Instant;
  /** The rate the line is taxed at (on a `tax` line, the rate it sums); null when untaxed. */
  tax_rate_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Its share of discounts, signed (≤ 0 on a charge; ≥ 0 on a credit giving a discount back). */
  discount: ColumnType<string | null, number | null | undefined, number | null>;
  /** Its share of its rate's tax. */
  tax: ColumnType<string | null, number | null | undefined, number | null>;
  /** On a `tax` line: the rate is inclusive. */
  inclusive: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  /** On a coupon's `discount` line: the coupon. */
  coupon_id: ColumnType<string | null, string | null | undefined, string | null>;
};

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type InvoiceTables = {
  'read.invoices': InvoicesTable;
  'read.invoice_lines': InvoiceLinesTable;
};
