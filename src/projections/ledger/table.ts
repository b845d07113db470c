import type { ColumnType } from 'kysely';
import type { Instant, Int8 } from '../../db/index.js';

/** One movement of money: `amount` debited to one account and credited to another. Append-only. */
export type LedgerEntriesTable = {
  event_id: string;
  /** The entry's place among those its event made, from 0. */
  seq: number;
  position_commit: Int8;
  position_prepare: Int8;
  stream_name: string;
  event_type: string;
  kind: string;
  debit_account: string;
  credit_account: string;
  amount: Int8;
  currency: string;
  customer_id: string;
  invoice_id: string | null;
  /** The gateway's id of the money moved (a charge), when there is one. */
  reference: string | null;
  occurred_at: Instant;
};

/** Each side of each entry (a view): `balance` is the debit, or minus the credit. */
export type LedgerPostingsView = {
  event_id: string;
  seq: number;
  position_commit: Int8;
  position_prepare: Int8;
  kind: string;
  account: string;
  debit: Int8;
  credit: Int8;
  balance: Int8;
  currency: string;
  customer_id: string;
  invoice_id: string | null;
  reference: string | null;
  occurred_at: Instant;
};

/** The projection's own fold of each invoice: the posting rules read an invoice's state before each event. */
export type LedgerInvoicesTable = {
  invoice_id: string;
  state: ColumnType<unknown, string, string>;
  revision: Int8;
};

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type LedgerTables = {
  'read.ledger_entries': LedgerEntriesTable;
  'read.ledger_postings': LedgerPostingsView;
  'read.ledger_invoices': LedgerInvoicesTable;
};
