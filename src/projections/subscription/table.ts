import type { ColumnType } from 'kysely';
import type { Instant, Int8, NullableInstant } from '../../db/index.js';


/**
 * The period columns are the period as the last event recorded it (creation,
 * trial end, resume, plan change); nothing here moves them as time passes.
 * The period running at an instant is computed from the anchor (periodAt).
 */
export type SubscriptionsTable = {
  subscription_id: string;
  customer_id: string;
  contract_id: string;
  plan_id: string;
  status: string;
  quantity: number;
  /** The plan's price as copied onto the stream. */
  pricing_model: string;
  amount: Int8;
  currency: string;
  interval: string;
  interval_count: number;
  billing_anchor: Instant;
  current_period_start: Instant;
  current_period_end: Instant;
  cancel_at_period_end: boolean;
  cancel_at: NullableInstant;
  trial_end: NullableInstant;
  /** The status-specific columns are set only while the status they belong to holds, as in the domain state. */
  paused_at: NullableInstant;
  paused_by: string | null;
  canceled_at: NullableInstant;
  expired_at: NullableInstant;
  /** Since the first of its unpaid invoices failed; a further one does not move it. */
  past_due_since: NullableInstant;
  /** The unpaid invoices, in the order they went past due; empty unless PAST_DUE. */
  past_due_invoice_ids: ColumnType<string[], string[] | undefined, string[]>;
  /** The coupon's discount it holds, its terms as redeemed: `{couponId, redemptionId, percentOff?, amountOff?, currency?, duration, durationInPeriods?}`; kept once it ends. */
  discount: ColumnType<unknown, string | null, string | null>;
  revision: Int8;
  created_at: Instant;
  updated_at: Instant;
};

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type SubscriptionTables = {
  'read.subscriptions': SubscriptionsTable;
};
