import type { Decider } from '../shared/index.js';
import type { InvoiceCommand } from './commands.js';
import { decideInvoice } from './decide.js';
import type { InvoiceEvent } from './events.js';
import { evolveInvoice } from './evolve.js';
import { initialInvoiceState, type InvoiceState } from './state.js';

export type * from './commands.js';
export type * from './events.js';
export type * from './collectionTypes.js';
export type * from './creditNoteTypes.js';
export { CREDIT_NOTE_REASONS } from './creditNoteTypes.js';
export { creditableLines, creditedSoFar, issuedNotes, priceCreditNote, type CreditableLine } from './creditNotes.js';
export { MAX_GRACE_EXTENSION_DAYS } from './dunning.js';
export { idempotencyKeyOf, NO_PAYMENT_METHOD } from './collection.js';
export {
  amountDueOf,
  attemptInFlight,
  INVOICE_STATUSES,
  ITEM_LINE_TYPES,
  type ExistingInvoice,
  type InvoiceCause,
  type InvoiceFacts,
  type InvoiceLine,
  type InvoiceLineType,
  type InvoiceState,
  type InvoiceStatus,
  type ItemLine,
  type ItemLineType,
} from './state.js';
export { INVOICE_TRANSITIONS } from './decide.js';
export { CREDIT_TO_BALANCE_DESCRIPTION, CREDIT_TO_BALANCE_KEY, currentFacts, priceLines } from './lines.js';

/** The application creates it with no_stream, under an id it computed. */
export const invoiceStreamName = (invoiceId: string): string => `invoice-${invoiceId}`;

export const invoiceDecider: Decider<InvoiceState, InvoiceCommand, InvoiceEvent> = {
  decide: decideInvoice,
  evolve: evolveInvoice,
  initialState: initialInvoiceState,
};
export { applyDiscounts, applyTax, type AppliedDiscount } from './pricing.js';
export { rateUnits, taxAt, taxOf, type AppliedTaxRate, type LinesTax, type RateTax } from './tax.js';
