import type { ColumnType } from 'kysely';
import type { Instant, Int8, Metadata } from '../../db/index.js';


export type CustomersTable = {
  customer_id: string;
  name: string;
  email: string;
  owner_user_id: string | null;
  payment_method: string | null;
  metadata: Metadata;
  /** Its invoices are created as DRAFTs for review; the column defaults to false. */
  draft_invoices: ColumnType<boolean, boolean | undefined, boolean>;
  /** The tax rate its invoices are taxed at, over its plans'. */
  tax_rate_id: string | null;
  /** The coupon's discount it holds, its terms as redeemed: `{couponId, redemptionId, percentOff?, amountOff?, currency?, duration, durationInPeriods?}`. */
  discount: ColumnType<unknown, string | null, string | null>;
  /** The customer stream's revision: the API's ETag. */
  revision: Int8;
  created_at: Instant;
  updated_at: Instant;
};

/** One row per customer and currency, set from the last event's `balanceAfter`. */
export type CustomerCreditBalancesTable = {
  customer_id: string;
  currency: string;
  balance: Int8;
  /** Revision of the customer-stream event that set the balance: an older one never overwrites it. */
  revision: Int8;
  updated_at: Instant;
};

/** One row per grant or application, for analysts. */
export type CustomerCreditLedgerTable = {
  event_id: string;
  customer_id: string;
  revision: Int8;
  kind: 'grant' | 'application';
  amount: Int8;
  currency: string;
  balance_after: Int8;
  reason: string | null;
  invoice_id: string | null;
  occurred_at: Instant;
};

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type CustomerTables = {
  'read.customers': CustomersTable;
  'read.customer_credit_balances': CustomerCreditBalancesTable;
  'read.customer_credit_ledger': CustomerCreditLedgerTable;
};
