import type { CustomerEvent } from '../customer/index.js';
import type { RefundEvent } from '../refund/index.js';
import {
  amountDueOf,
  issuedNotes,
  type CreditNoteRecord,
  type ExistingInvoice,
  type InvoiceEvent,
  type InvoiceLineType,
  type InvoiceState,
} from '../invoice/index.js';
import { entry, reversed, type Account, type EntryKind, type LedgerEntry } from './accounts.js';

/**
 * The posting rules: which entries each event of the streams that move money
 * makes. They read only the event and, for an invoice, its state before the
 * event, so the same history always gives the same entries.
 *
 * - An invoice posts nothing until it is finalised: then each of its lines
 *   moves between receivable and where it belongs (revenue, tax, the
 *   customer's balance through clearing), and the credit applied to it leaves
 *   receivable for clearing, where the customer's stream put it.
 * - A credit note gives revenue back: what it takes off the amount due leaves
 *   receivable (written_off, once written off), its credit goes through
 *   clearing to the balance, its refund to refunds payable, the rest out of band.
 * - A payment brings cash in against receivable; what it overpaid goes to
 *   clearing, until the customer's stream grants it as credit.
 * - A write-off moves what is due to written_off; a payment of a written-off
 *   invoice brings it back first.
 * - A void brings every account the invoice moved back to zero.
 */

/** Where a line of each type goes, for a positive amount: receivable is debited, this account credited. */
const LINE_ACCOUNTS: Readonly<Record<InvoiceLineType, Readonly<{ kind: EntryKind; account: Account }>>> = {
  plan_charge: { kind: 'invoice_charge', account: 'revenue' },
  proration_debit: { kind: 'invoice_charge', account: 'revenue' },
  proration_credit: { kind: 'invoice_credit', account: 'revenue' },
  credit_to_balance: { kind: 'credit_to_balance', account: 'clearing' },
  credit_applied: { kind: 'credit_applied', account: 'clearing' },
  // The credit went to the unpaid invoice by its credit note, which gives the revenue back there.
  credit_to_invoice: { kind: 'credit_to_invoice', account: 'revenue' },
  // A credit of time never paid for: the revenue it would have given back stays.
  credit_withheld: { kind: 'credit_withheld', account: 'revenue' },
  // Negative for a coupon (discounts debited), positive for a discount a proration credit gives back.
  discount: { kind: 'invoice_discount', account: 'discounts' },
  // An exclusive rate's tax, added to what is receivable; an inclusive rate's is taken out of revenue below.
  tax: { kind: 'invoice_tax', account: 'tax_payable' },
};

const at = (invoice: ExistingInvoice) => ({ currency: invoice.currency, customerId: invoice.customerId, invoiceId: invoice.invoiceId });

/** Where an invoice's amount due stands: receivable, or written_off once written off. */
const dueAccountOf = (invoice: ExistingInvoice): Account => (invoice.status === 'UNCOLLECTIBLE' ? 'written_off' : 'receivable');

/** A credit note's entries: revenue given back, against what it reduced and where the rest went. */
const creditNoteEntries = (note: CreditNoteRecord, invoice: ExistingInvoice, dueAccount: Account = dueAccountOf(invoice)): LedgerEntry[] => {
  return [
    // The tax it gives back is owed to no one any more: out of tax payable, the rest out of revenue.
    ...entry('credit_note_tax', 'tax_payable', 'revenue', note.tax ?? 0, at(invoice)),
    ...entry('credit_note', 'revenue', dueAccount, note.prePayment, at(invoice)),
    ...entry('credit_note', 'revenue', 'clearing', note.credit, at(invoice)),
    ...entry('credit_note', 'revenue', 'refunds', note.refund, at(invoice)),
    ...entry('credit_note', 'revenue', 'out_of_band', note.outOfBand, at(invoice)),
  ];
};

/** A finalised invoice's entries: its lines summed by kind, each against receivable; then tax; then credit notes a draft took. */
export const finalisationEntries = (invoice: ExistingInvoice): LedgerEntry[] => {
  const sums = new Map<EntryKind, { account: Account; amount: number }>();
  let included = 0;
  for (const line of invoice.lines) {
    if (line.type === 'tax' && line.inclusive) {
      included += line.amount;
      continue;
    }
    const { kind, account } = LINE_ACCOUNTS[line.type];
    const sum = sums.get(kind) ?? { account, amount: 0 };
    sums.set(kind, { account, amount: sum.amount + line.amount });
  }
  return [
    ...[...sums].flatMap(([kind, { account, amount }]) => entry(kind, 'receivable', account, amount, at(invoice))),
    ...entry('invoice_tax_included', 'revenue', 'tax_payable', included, at(invoice)),
    ...issuedNotes(invoice).flatMap((note) => creditNoteEntries(note, invoice, 'receivable')),
  ];
};

/** Each account's balance (debits − credits) over entries. */
const positions = (entries: readonly LedgerEntry[]): Map<Account, number> => {
  const sums = new Map<Account, number>();
  for (const e of entries) {
    sums.set(e.debit, (sums.get(e.debit) ?? 0) + e.amount);
    sums.set(e.credit, (sums.get(e.credit) ?? 0) - e.amount);
  }
  return sums;
};

/**
 * What a void posts: every account the invoice moved, back to zero against
 * receivable. What the invoice moved is worked out from its state (its lines,
 * its credit notes, a write-off), the same every time; a voidable invoice has
 * had no payment, so cash is never among them.
 */
const voidEntries = (invoice: ExistingInvoice): LedgerEntry[] => {
  const moved = positions(finalisationEntries(invoice));
  // What is due stands in one account: written_off once written off (whenever its credit notes were issued).
  if (invoice.status === 'UNCOLLECTIBLE') moved.set('written_off', amountDueOf(invoice));
  return [...moved].flatMap(([account, balance]) => (account === 'receivable' ? [] : entry('invoice_voided', 'receivable', account, balance, at(invoice))));
};

/** Receivable back from written_off, for what a payment of a written-off invoice pays. */
const reinstated = (invoice: ExistingInvoice, amount: number) =>
  invoice.status === 'UNCOLLECTIBLE' ? entry('written_off_reinstated', 'receivable', 'written_off', amount, at(invoice)) : [];

/** The entries an invoice event makes, given the invoice's state before it. */
export const invoiceEntries = (event: InvoiceEvent, before: InvoiceState): LedgerEntry[] => {
  if (before.status === 'NONE') return [];
  switch (event.type) {
    case 'InvoiceFinalized':
      return finalisationEntries(before);
    case 'InvoiceMarkedUncollectible':
      return entry('written_off', 'written_off', 'receivable', amountDueOf(before), at(before));
    case 'InvoiceVoided':
      // A draft posted nothing; the credit applied to it went back through clearing from the customer's stream.
      return before.status === 'DRAFT' ? [] : voidEntries(before);
    case 'InvoiceCreditNoted': {
      // A draft's credit note is posted with the draft, when it is finalised.
      if (before.status === 'DRAFT') return [];
      const { invoiceId: _i, customerId: _c, currency: _cur, ...note } = event.data;
      return creditNoteEntries({ ...note, status: 'ISSUED' }, before);
    }
    case 'InvoiceCreditNoteVoided': {
      const note = (before.creditNotes ?? []).find((n) => n.creditNoteId === event.data.creditNoteId);
      return before.status === 'DRAFT' || !note ? [] : reversed(creditNoteEntries(note, before), 'credit_note_voided');
    }
    case 'PaymentSucceeded': {
      const applied = event.data.applied ?? event.data.amount;
      const overpaid = event.data.overpaid ?? 0;
      const charge = { ...at(before), reference: event.data.chargeId };
      return [
        ...reinstated(before, applied),
        ...entry('payment', 'cash', 'receivable', applied, charge),
        ...entry('overpayment', 'cash', 'clearing', overpaid, charge),
      ];
    }
    default:
      return [];
  }
};

/**
 * The entries a customer event makes. Credit from an invoice (a proration's
 * excess, an overpayment, a credit note, a void giving back what was applied)
 * comes out of that invoice's clearing; credit granted by hand, out of
 * goodwill. Credit applied goes to the clearing of the invoice it pays.
 * `invoiceId` names the invoice of a grant recorded before grants carried it.
 */
export const customerEntries = (event: CustomerEvent, invoiceId?: string): LedgerEntry[] => {
  switch (event.type) {
    case 'CustomerCreditGranted': {
      const { customerId, amount, currency, reason } = event.data;
      const from = event.data.invoiceId ?? invoiceId;
      if (from === undefined) return entry('credit_granted', 'goodwill', 'customer_credit', amount, { currency, customerId, invoiceId: null });
      return entry(reason === 'invoice_voided' ? 'credit_returned' : 'credit_granted', 'clearing', 'customer_credit', amount, { currency, customerId, invoiceId: from });
    }
    case 'CustomerCreditApplied': {
      const { customerId, amount, currency } = event.data;
      return entry('credit_applied', 'customer_credit', 'clearing', amount, { currency, customerId, invoiceId: event.data.invoiceId ?? null });
    }
    default:
      return [];
  }
};

/**
 * The entries a refund makes. Refunds payable holds what is owed back: a
 * credit note put its refund there; an overpayment's refund takes it from
 * the invoice's clearing. The gateway's refund pays it out of cash; a refund
 * it declines goes back through clearing, to the customer's balance.
 */
export const refundEntries = (event: RefundEvent): LedgerEntry[] => {
  switch (event.type) {
    case 'RefundRequested': {
      const { cause, amount, currency, customerId, invoiceId } = event.data;
      return cause.kind === 'overpayment' ? entry('refund_requested', 'clearing', 'refunds', amount, { currency, customerId, invoiceId }) : [];
    }
    case 'RefundSucceeded': {
      const { amount, currency, customerId, invoiceId, gatewayRefundId } = event.data;
      return entry('refund', 'refunds', 'cash', amount, { currency, customerId, invoiceId, reference: gatewayRefundId });
    }
    case 'RefundFailed': {
      const { amount, currency, customerId, invoiceId } = event.data;
      return entry('refund_failed', 'refunds', 'clearing', amount, { currency, customerId, invoiceId });
    }
  }
};
