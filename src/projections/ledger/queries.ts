import { sql, type Selectable } from 'kysely';
import type { Db } from '../../db/index.js';
import type { LedgerEntriesTable } from './table.js';

export type AccountBalance = Readonly<{ account: string; currency: string; debit: number; credit: number; balance: number }>;

const n = (value: string | number | bigint | null) => Number(value ?? 0);

/**
 * Each account's debits, credits and balance (debits − credits), by
 * currency; `customerId` narrows it to one customer's entries. Over all
 * accounts of a currency the balances sum to 0.
 */
export const accountBalances = async (db: Db, customerId?: string): Promise<AccountBalance[]> => {
  let query = db
    .selectFrom('read.ledger_postings')
    .select((eb) => ['account', 'currency', eb.fn.sum<string>('debit').as('debit'), eb.fn.sum<string>('credit').as('credit')])
    .groupBy(['account', 'currency'])
    .orderBy('currency')
    .orderBy('account');
  if (customerId !== undefined) query = query.where('customer_id', '=', customerId);
  const rows = await query.execute();
  return rows.map((r) => ({ account: r.account, currency: r.currency, debit: n(r.debit), credit: n(r.credit), balance: n(r.debit) - n(r.credit) }));
};

/** Each currency's debits, credits and balance over accounts: a balance of 0, or the ledger is broken. */
export const totalsByCurrency = (accounts: readonly AccountBalance[]): { currency: string; debit: number; credit: number; balance: number }[] =>
  [...new Set(accounts.map((a) => a.currency))].map((currency) => {
    const of = accounts.filter((a) => a.currency === currency);
    const debit = of.reduce((s, a) => s + a.debit, 0);
    const credit = of.reduce((s, a) => s + a.credit, 0);
    return { currency, debit, credit, balance: debit - credit };
  });

/** Movements spanning two streams that only one side has posted: each invoice whose clearing is not 0. */
export const openClearings = async (db: Db): Promise<{ invoiceId: string | null; currency: string; balance: number }[]> => {
  const rows = await db
    .selectFrom('read.ledger_postings')
    .select((eb) => ['invoice_id', 'currency', eb.fn.sum<string>('balance').as('balance')])
    .where('account', '=', 'clearing')
    .groupBy(['invoice_id', 'currency'])
    .having(sql`sum(balance)`, '<>', 0)
    .orderBy('invoice_id')
    .execute();
  return rows.map((r) => ({ invoiceId: r.invoice_id, currency: r.currency, balance: n(r.balance) }));
};

/** Where a page of entries ends: (position, seq). */
export type EntryKey = Readonly<{ commit: bigint; prepare: bigint; eventId: string; seq: number }>;
export type EntryFilter = Readonly<{ customerId?: string; invoiceId?: string; account?: string; limit: number; after?: EntryKey }>;

export type EntryView = Readonly<{
  eventId: string;
  seq: number;
  position: Readonly<{ commit: bigint; prepare: bigint }>;
  streamName: string;
  eventType: string;
  kind: string;
  debit: string;
  credit: string;
  amount: number;
  currency: string;
  customerId: string;
  invoiceId: string | null;
  reference: string | null;
  occurredAt: string;
}>;

const toView = (r: Selectable<LedgerEntriesTable>): EntryView => ({
  eventId: r.event_id,
  seq: r.seq,
  position: { commit: BigInt(r.position_commit), prepare: BigInt(r.position_prepare) },
  streamName: r.stream_name,
  eventType: r.event_type,
  kind: r.kind,
  debit: r.debit_account,
  credit: r.credit_account,
  amount: n(r.amount),
  currency: r.currency,
  customerId: r.customer_id,
  invoiceId: r.invoice_id,
  reference: r.reference,
  occurredAt: r.occurred_at.toISOString(),
});

/** Entries in log order, `limit + 1` of them (the extra one says whether there is more). */
export const listEntries = async (db: Db, filter: EntryFilter): Promise<EntryView[]> => {
  let query = db.selectFrom('read.ledger_entries').selectAll();
  if (filter.customerId !== undefined) query = query.where('customer_id', '=', filter.customerId);
  if (filter.invoiceId !== undefined) query = query.where('invoice_id', '=', filter.invoiceId);
  if (filter.account !== undefined) {
    const account = filter.account;
    query = query.where((eb) => eb.or([eb('debit_account', '=', account), eb('credit_account', '=', account)]));
  }
  if (filter.after) {
    const { commit, prepare, eventId, seq } = filter.after;
    query = query.where(
      sql<boolean>`(position_commit, position_prepare, event_id, seq) > (${commit.toString()}::bigint, ${prepare.toString()}::bigint, ${eventId}, ${seq})`,
    );
  }
  const rows = await query
    .orderBy('position_commit')
    .orderBy('position_prepare')
    .orderBy('event_id')
    .orderBy('seq')
    .limit(filter.limit + 1)
    .execute();
  return rows.map(toView);
};
