/**
 * The ledger's accounts. Every movement of money is one entry that debits one
 * account and credits another by the same positive integer amount, in one
 * currency, so the entries always sum to zero over all accounts (the trial
 * balance). Balances are read as debits − credits: positive on what the
 * business holds or is owed (receivable, cash, clearing, revenue given back,
 * discounts, goodwill, written off), negative on what it owes or earned
 * (customer credit, revenue, tax payable, refunds payable).
 */
export const ACCOUNTS = [
  /** What customers owe on finalised invoices: the sum of the open amounts due. */
  'receivable',
  /** Credit held for customers, by customer: the balance folded from each customer's stream, negated. */
  'customer_credit',
  /** Money at the gateway: succeeded charges less refunds (gateway clearing). */
  'cash',
  /** Billed charges, less what prorations and credit notes gave back. */
  'revenue',
  /** Coupons' discounts on invoices. */
  'discounts',
  /** Tax billed, owed to the authorities. */
  'tax_payable',
  /** Refunds owed to customers and not yet paid back by the gateway. */
  'refunds',
  /** Amounts due on invoices written off as uncollectible. */
  'written_off',
  /** Credit an operator granted out of goodwill, not from an invoice. */
  'goodwill',
  /** Money a credit note says was given back outside the gateway (a cheque, a transfer). */
  'out_of_band',
  /**
   * A movement that spans two streams passes through here, keyed by its
   * invoice: the customer's side and the invoice's side each post half. Once
   * both are recorded it settles to 0; what is left shows a movement half done.
   */
  'clearing',
] as const;
export type Account = (typeof ACCOUNTS)[number];

/** Why an entry was made: one per kind of movement. */
export const ENTRY_KINDS = [
  'invoice_charge',
  'invoice_credit',
  'invoice_tax',
  'invoice_tax_included',
  'invoice_discount',
  'credit_to_balance',
  'credit_to_invoice',
  'credit_withheld',
  'credit_applied',
  'invoice_voided',
  'written_off',
  'written_off_reinstated',
  'payment',
  'overpayment',
  'credit_granted',
  'credit_returned',
  'credit_note',
  'credit_note_voided',
  'credit_note_tax',
  'refund_requested',
  'refund',
  'refund_failed',
] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export type LedgerEntry = Readonly<{
  kind: EntryKind;
  debit: Account;
  credit: Account;
  /** Minor units, a positive safe integer. */
  amount: number;
  currency: string;
  customerId: string;
  /** The invoice the movement belongs to; the key of its clearing. Null for a customer's credit granted by hand. */
  invoiceId: string | null;
  /** The gateway's id of the money moved (a charge, a refund), when there is one. */
  reference?: string;
}>;

/** An entry, or none when the amount is 0; a negative amount swaps the two sides. */
export const entry = (kind: EntryKind, debit: Account, credit: Account, amount: number, at: Omit<LedgerEntry, 'kind' | 'debit' | 'credit' | 'amount'>): LedgerEntry[] => {
  if (amount === 0) return [];
  return amount > 0 ? [{ kind, debit, credit, amount, ...at }] : [{ kind, debit: credit, credit: debit, amount: -amount, ...at }];
};

/** The same movements undone: each entry with its sides swapped. */
export const reversed = (entries: readonly LedgerEntry[], kind: EntryKind): LedgerEntry[] =>
  entries.map((e) => ({ ...e, kind, debit: e.credit, credit: e.debit }));
