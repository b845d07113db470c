import type { AppliedTaxRate } from './tax.js';
import { ConflictError, NotFoundError } from '../shared/index.js';
import type { Collection } from './collectionTypes.js';
import type { CreditNoteRecord } from './creditNoteTypes.js';
export const INVOICE_STATUSES = ['DRAFT', 'OPEN', 'UNCOLLECTIBLE', 'PAID', 'VOID'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/**
 * The lines the billing engine bills. `credit_to_balance` is not one of them:
 * the invoice adds it itself. `credit_to_invoice` gives back a proration
 * credit's part that went, by an automatic credit note, to the invoice still
 * unpaid for that time: only what was paid is credited here. `credit_withheld`
 * takes back the part of a proration credit for time billed on an invoice since
 * voided, or already given back by a credit note: it was never paid.
 */
export const ITEM_LINE_TYPES = ['plan_charge', 'proration_credit', 'proration_debit', 'credit_applied', 'credit_to_invoice', 'credit_withheld'] as const;
export type ItemLineType = (typeof ITEM_LINE_TYPES)[number];
/**
 * Lines the invoice adds itself: `credit_to_balance` (the lines summed below
 * zero), `discount` (one per coupon, and one for the discount a proration
 * credit gives back) and `tax` (one per rate).
 */
export type InvoiceLineType = ItemLineType | 'credit_to_balance' | 'discount' | 'tax';

/**
 * One line of an invoice. Amounts are safe integers of minor units in the
 * invoice's currency: charges and debits ≥ 0, credits and credit applied ≤ 0,
 * credit carried to the balance > 0. `amount` is not always quantity ×
 * unitAmount: a proration is a share of it. `itemKey` is the billing engine's
 * identity of the billed item, unique within the invoice, so that what was
 * already billed can be compared with what is due.
 */
export type InvoiceLine<T extends InvoiceLineType = InvoiceLineType> = Readonly<{
  type: T;
  itemKey: string;
  description: string;
  quantity: number;
  unitAmount: number;
  amount: number;
  currency: string;
  /** ISO instants, half-open [start, end), start before end. */
  period: Readonly<{ start: string; end: string }>;
  /** The rate the line is taxed at; on a `tax` line, the rate it sums. */
  taxRateId?: string;
  /**
   * The line's share of discounts, signed: ≤ 0 on a charge, what coupons took
   * off it; ≥ 0 on a proration credit, the discount of the charge it credits,
   * given back (the billing engine sets that one; the invoice, the others).
   */
  discount?: number;
  /** The line's share of its rate's tax, by largest remainder (inside the amount when the rate is inclusive). */
  tax?: number;
  /** On a `tax` line: whether the tax is inside the other lines' amounts (not added to the total). */
  inclusive?: boolean;
  /** On a coupon's `discount` line: the coupon. */
  couponId?: string;
}>;
export type ItemLine = InvoiceLine<ItemLineType>;

/** What made the billing engine invoice: a period coming due, or a change to the subscription (the event that changed it). */
export type InvoiceCause = Readonly<{ kind: 'period'; periodStart: string }> | Readonly<{ kind: 'change'; eventId: string }>;

/** What an invoice bills, fixed when it is created. */
export type InvoiceFacts = Readonly<{
  invoiceId: string;
  customerId: string;
  subscriptionId: string;
  currency: string;
  lines: readonly InvoiceLine[];
  /**
   * What the invoice bills before exclusive tax: the items after discounts,
   * and `credit_to_balance`. Below 0 only when credit carried to the balance
   * pays the exclusive tax of a charge on the same invoice (a credit untaxed,
   * a debit taxed): then the total is 0 and the tax still owed.
   */
  subtotal: number;
  /** What coupons took off, less what proration credits gave back of earlier discounts; absent on invoices from before discounts. */
  discount?: number;
  /** The sum of the `tax` lines, inclusive and exclusive. */
  tax: number;
  /** subtotal + exclusive tax: what the invoice bills, whatever pays it. */
  total: number;
  /** The rates its lines are taxed at, as they were when it was created. */
  taxRates?: readonly AppliedTaxRate[];
  /** The customer's credit balance applied when it was created (its `credit_applied` line, as a positive amount); at most the total. */
  creditApplied: number;
  cause: InvoiceCause;
}>;

type Known = InvoiceFacts &
  Readonly<{
    /** Payment attempts and dunning, from the first attempt on. */
    collection?: Collection;
    /** What succeeded charges paid of the amount due (an excess is an overpayment, the customer's). */
    paid: number;
    /** Credit notes, issued and voided, in the order they were issued; absent from states kept before they existed. */
    creditNotes?: readonly CreditNoteRecord[];
    /** The customer does not review drafts: the application finalises the invoice right after creating it. */
    autoFinalize: boolean;
    createdAt: string;
    updatedAt: string;
  }>;
/** Numbered when finalised, for life. */
type Numbered = Readonly<{ number: string; finalizedAt: string }>;

export type InvoiceState =
  | Readonly<{ status: 'NONE' }>
  | (Known & Readonly<{ status: 'DRAFT'; number?: undefined }>)
  | (Known & Numbered & Readonly<{ status: 'OPEN' }>)
  | (Known & Numbered & Readonly<{ status: 'UNCOLLECTIBLE'; markedUncollectibleAt: string }>)
  | (Known & Numbered & Readonly<{ status: 'PAID'; paidAt: string; paymentId?: string; markedUncollectibleAt?: string }>)
  /** A voided draft has no number. */
  | (Known & Partial<Numbered> & Readonly<{ status: 'VOID'; voidedAt: string; voidReason?: string; markedUncollectibleAt?: string }>);

export type ExistingInvoice = Exclude<InvoiceState, { status: 'NONE' }>;

export const initialInvoiceState = (): InvoiceState => ({ status: 'NONE' });

/** What is still owed: total − credit applied − payments − credit notes before payment; 0 once paid, voided or nothing. */
export const amountDueOf = (
  s: Readonly<{ status: string; total?: number; creditApplied?: number; paid?: number; creditNotes?: readonly CreditNoteRecord[] }>,
): number => {
  if (s.status === 'NONE' || s.status === 'VOID' || s.status === 'PAID') return 0;
  const prePayment = (s.creditNotes ?? []).reduce((sum, n) => sum + (n.status === 'ISSUED' ? n.prePayment : 0), 0);
  return (s.total ?? 0) - (s.creditApplied ?? 0) - (s.paid ?? 0) - prePayment;
};

/** The attempt whose result is not recorded yet, if any: while it is out, the invoice's money may be moving. */
export const attemptInFlight = (state: InvoiceState): number | undefined => {
  if (state.status === 'NONE') return undefined;
  const last = state.collection?.payments.at(-1);
  return last && !last.result ? last.attempt : undefined;
};

/** The invoice, if an attempt or a dunning step may act on it: OPEN or UNCOLLECTIBLE. */
export const collectible = (state: InvoiceState, action: string): ExistingInvoice & { status: 'OPEN' | 'UNCOLLECTIBLE' } => {
  if (state.status === 'NONE') throw new NotFoundError('invoice.not_found', 'the invoice does not exist');
  if (state.status === 'PAID') throw new ConflictError('invoice.already_paid', `the invoice was paid by ${state.paymentId ?? 'a payment without an id'}`, { status: 'PAID' });
  if (state.status !== 'OPEN' && state.status !== 'UNCOLLECTIBLE') {
    throw new ConflictError('invoice.invalid_transition', `a ${state.status} invoice cannot ${action}`, { status: state.status });
  }
  return state;
};
