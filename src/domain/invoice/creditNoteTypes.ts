import type { Command, Event } from '../shared/index.js';

/**
 * Credit notes, Stripe's model, decided on the invoice's own stream so that
 * what all of them credit is checked against the invoice in one place: never
 * more than a line billed, never more than the invoice's total. The part up
 * to the amount due reduces it (pre-payment); the rest (post-payment) is
 * split explicitly into a refund, credit to the customer's balance and an
 * amount settled out of band. Types only.
 */
export const CREDIT_NOTE_REASONS = ['duplicate', 'fraudulent', 'order_change', 'product_unsatisfactory', 'other'] as const;
export type CreditNoteReason = (typeof CREDIT_NOTE_REASONS)[number];

/**
 * What a credit note credits against one line of the invoice, by the line's
 * itemKey: `amount` before exclusive tax, as the line's own, and `tax`, the
 * share of the line's tax it gives back (absent on a line without tax).
 */
export type CreditedLine = Readonly<{ itemKey: string; amount: number; tax?: number }>;
/** The tax a credit note gives back at one rate, or the part of it that its refund pays back. */
export type CreditedTax = Readonly<{ taxRateId: string; inclusive: boolean; amount: number }>;

/**
 * Exactly one of `lines` (each line's amount) or `amount` (spread over the
 * lines still creditable, in proportion to what is left of each), both
 * before exclusive tax: the note adds the tax of what it credits. The post-
 * payment split must sum to what is left once the amount due is reduced.
 * `automatic`: the billing engine's, for unused time on an invoice not yet
 * paid: it reduces the amount due only, and may be issued on a draft.
 */
export type IssueCreditNote = Command<
  'IssueCreditNote',
  {
    creditNoteId: string;
    reason: CreditNoteReason;
    memo?: string;
    lines?: readonly CreditedLine[];
    amount?: number;
    refund?: number;
    credit?: number;
    outOfBand?: number;
    automatic?: boolean;
    now: string;
  }
>;
export type VoidCreditNote = Command<'VoidCreditNote', { creditNoteId: string; now: string }>;
export type CreditNoteCommand = IssueCreditNote | VoidCreditNote;

export type InvoiceCreditNoted = Event<
  'InvoiceCreditNoted',
  {
    invoiceId: string;
    creditNoteId: string;
    customerId: string;
    currency: string;
    reason: CreditNoteReason;
    memo?: string;
    lines: readonly CreditedLine[];
    /** What the note gives back in all: its lines and the exclusive tax on them. */
    amount: number;
    /** The tax given back, inclusive and exclusive; absent on notes from before tax. */
    tax?: number;
    /** That tax, by rate. */
    taxes?: readonly CreditedTax[];
    /** The part of that tax its refund pays back, by rate, in the same proportion. */
    refundTaxes?: readonly CreditedTax[];
    /** What reduced the amount due. */
    prePayment: number;
    refund: number;
    /** The refund, charge by charge (the earliest first), each within what that charge paid and earlier notes did not refund. */
    refunds: readonly ChargeRefund[];
    credit: number;
    outOfBand: number;
    automatic: boolean;
    issuedAt: string;
  }
>;
export type ChargeRefund = Readonly<{ chargeId: string; amount: number }>;
/** `prePayment`: what the note had taken off the amount due, which is due again. */
export type InvoiceCreditNoteVoided = Event<'InvoiceCreditNoteVoided', { invoiceId: string; creditNoteId: string; prePayment: number; voidedAt: string }>;
export type CreditNoteEvent = InvoiceCreditNoted | InvoiceCreditNoteVoided;

export type CreditNoteRecord = Readonly<Omit<InvoiceCreditNoted['data'], 'invoiceId' | 'customerId' | 'currency'> & { status: 'ISSUED' | 'VOID'; voidedAt?: string }>;
