import type { CollectionCommand } from './collectionTypes.js';
import type { CreditNoteCommand } from './creditNoteTypes.js';
import type { Command } from '../shared/index.js';
import type { AppliedDiscount } from './pricing.js';
import type { InvoiceCause, ItemLine } from './state.js';
import type { AppliedTaxRate } from './tax.js';

/**
 * Sent by the billing engine with an id it computed. Always creates a DRAFT:
 * `draft: false` (the customer does not review drafts) is recorded as
 * `autoFinalize`, and the application sends FinalizeInvoice, with a number it
 * assigned, right after.
 */
export type CreateInvoice = Command<
  'CreateInvoice',
  {
    invoiceId: string;
    customerId: string;
    subscriptionId: string;
    currency: string;
    /** The item lines; the invoice adds `credit_to_balance` itself when they sum below zero. */
    lines: readonly ItemLine[];
    /** Coupons, the subscription's first, with the items each covers. */
    discounts?: readonly AppliedDiscount[];
    /** Every rate a line names, as it is now: the invoice keeps it. */
    taxRates?: readonly AppliedTaxRate[];
    cause: InvoiceCause;
    draft: boolean;
    now: string;
  }
>;
/** `number` is YYYY-NNNNNN, the year being `now`'s in UTC; the application numbers each year without gaps. */
export type FinalizeInvoice = Command<'FinalizeInvoice', { number: string; now: string }>;
export type VoidInvoice = Command<'VoidInvoice', { reason?: string; now: string }>;
export type MarkUncollectible = Command<'MarkUncollectible', { now: string }>;
export type MarkInvoicePaid = Command<'MarkInvoicePaid', { paymentId?: string; now: string }>;

export type InvoiceCommand = CreateInvoice | FinalizeInvoice | VoidInvoice | MarkUncollectible | MarkInvoicePaid | CollectionCommand | CreditNoteCommand;
