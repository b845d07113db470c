import { ConflictError, NotFoundError, parseInstant, ValidationError } from '../shared/index.js';
import { decideCollection } from './collection.js';
import type { CollectionCommand } from './collectionTypes.js';
import type { CreditNoteCommand } from './creditNoteTypes.js';
import { decideCreditNote, issuedNotes } from './creditNotes.js';
import type { CreateInvoice, InvoiceCommand } from './commands.js';
import type { InvoiceEvent } from './events.js';
import { checkCause, priceLines, sameFacts } from './lines.js';
import { amountDueOf, attemptInFlight, type ExistingInvoice, type InvoiceState, type InvoiceStatus } from './state.js';

type Transition = 'finalize' | 'void' | 'mark_uncollectible' | 'pay';

/** DRAFT → OPEN → PAID | VOID | UNCOLLECTIBLE; UNCOLLECTIBLE → PAID | VOID; DRAFT → VOID. PAID and VOID are final. */
export const INVOICE_TRANSITIONS: Readonly<Record<InvoiceStatus, readonly Transition[]>> = {
  DRAFT: ['finalize', 'void'],
  OPEN: ['void', 'mark_uncollectible', 'pay'],
  UNCOLLECTIBLE: ['void', 'pay'],
  PAID: [],
  VOID: [],
};

const TRANSITION_OF = {
  FinalizeInvoice: 'finalize',
  VoidInvoice: 'void',
  MarkUncollectible: 'mark_uncollectible',
  MarkInvoicePaid: 'pay',
} as const satisfies Record<Exclude<InvoiceCommand['type'], 'CreateInvoice' | CollectionCommand['type'] | CreditNoteCommand['type']>, Transition>;

/**
 * Commands whose fact is already recorded: a retry. Finalising again with the
 * invoice's own number is one whatever happened since, even in another year.
 */
const isNoOp = (command: Exclude<InvoiceCommand, CreateInvoice | CollectionCommand | CreditNoteCommand>, state: ExistingInvoice): boolean => {
  switch (command.type) {
    case 'FinalizeInvoice':
      return state.number === command.data.number;
    case 'VoidInvoice':
      return state.status === 'VOID';
    case 'MarkUncollectible':
      return state.status === 'UNCOLLECTIBLE';
    case 'MarkInvoicePaid':
      return state.status === 'PAID' && state.paymentId === command.data.paymentId;
  }
};

const NUMBER = /^\d{4}-\d{6}$/;

/**
 * The application numbers invoices per year without gaps; the decider checks
 * the form, and that the number is not of a later year than the finalisation
 * (UTC). An earlier year's is a number taken on Dec 31 whose finalisation was
 * recorded after midnight (a retry after a crash): it stays that year's.
 */
const checkNumber = (number: string, now: string): void => {
  if (!NUMBER.test(number)) throw new ValidationError('invoice.invalid', `an invoice number is YYYY-NNNNNN, not ${number}`, { field: 'number' });
  const year = parseInstant(now, 'now').toZonedDateTimeISO('UTC').year;
  if (Number(number.slice(0, 4)) > year) {
    throw new ValidationError('invoice.invalid', `an invoice finalised in ${year} (UTC) has no number of a later year: ${number}`, { field: 'number' });
  }
};

const create = (command: CreateInvoice, state: InvoiceState): InvoiceEvent[] => {
  const { invoiceId, customerId, subscriptionId, currency, lines, discounts = [], taxRates = [], cause, draft, now } = command.data;
  if (state.status !== 'NONE') {
    // The application reads "already exists" as "already billed".
    if (sameFacts(state, command.data)) return [];
    throw new ConflictError('invoice.already_exists', `invoice ${state.invoiceId} already exists with other facts`, { status: state.status });
  }
  const checkedCause = checkCause(cause);
  // An invoice without a coupon records no discount, as invoices did before coupons.
  const { discount, ...priced } = priceLines(lines, currency, discounts, taxRates);
  const used = taxRates.filter((rate) => priced.lines.some((line) => line.taxRateId === rate.taxRateId));
  return [
    {
      type: 'InvoiceCreated',
      data: {
        invoiceId,
        customerId,
        subscriptionId,
        currency,
        ...priced,
        ...(discount !== 0 && { discount }),
        ...(used.length > 0 && { taxRates: used.map(({ taxRateId, displayName, jurisdiction, percentage, inclusive }) => ({ taxRateId, displayName, jurisdiction, percentage, inclusive })) }),
        cause: checkedCause,
        autoFinalize: !draft,
        createdAt: now,
      },
    },
  ];
};

const COLLECTION = new Set<string>(['AttemptPayment', 'RecordPaymentResult', 'ExpireGrace', 'StopDunning', 'ExtendGrace'] satisfies CollectionCommand['type'][]);
const isCollection = (command: InvoiceCommand): command is CollectionCommand => COLLECTION.has(command.type);

export const decideInvoice = (command: InvoiceCommand, state: InvoiceState): InvoiceEvent[] => {
  if (command.type === 'CreateInvoice') return create(command, state);
  if (isCollection(command)) return decideCollection(command, state);
  if (command.type === 'IssueCreditNote' || command.type === 'VoidCreditNote') return decideCreditNote(command, state);
  if (state.status === 'NONE') throw new NotFoundError('invoice.not_found', 'the invoice does not exist');
  if (isNoOp(command, state)) return [];
  if (command.type === 'MarkInvoicePaid' && state.status === 'PAID') {
    throw new ConflictError('invoice.already_paid', `the invoice was paid by ${state.paymentId ?? 'a payment without an id'}`, {
      paymentId: state.paymentId ?? null,
    });
  }
  const transition = TRANSITION_OF[command.type];
  const allowed = INVOICE_TRANSITIONS[state.status];
  if (!allowed.includes(transition)) {
    throw new ConflictError('invoice.invalid_transition', `a ${state.status} invoice cannot ${transition.replace(/_/g, ' ')}`, {
      status: state.status,
      allowedTransitions: allowed,
    });
  }
  const { invoiceId } = state;
  const inFlight = attemptInFlight(state);
  // A charge may be succeeding at the gateway: the invoice must be there to take it.
  if (inFlight !== undefined && (command.type === 'VoidInvoice' || command.type === 'MarkUncollectible')) {
    throw new ConflictError('invoice.payment_in_flight', `attempt ${inFlight} is charging the invoice; it can be voided or written off once its result is recorded`, {
      attempt: inFlight,
    });
  }
  // Money that left with a credit note (a refund, credit, a settlement out of band) cannot be undone by a void.
  const settled = issuedNotes(state).filter((n) => n.refund + n.credit + n.outOfBand > 0);
  // What charges paid of it is the customer's money: an invoice partly paid is credited, not voided.
  if (command.type === 'VoidInvoice' && state.paid > 0) {
    throw new ConflictError('invoice.partially_paid', `charges paid ${state.paid} ${state.currency} of it: issue a credit note for the rest instead`, { paid: state.paid });
  }
  if (command.type === 'VoidInvoice' && settled.length > 0) {
    throw new ConflictError('invoice.has_credit_notes', 'credit notes gave money back on this invoice: credit what is left instead of voiding it', {
      creditNoteIds: settled.map((n) => n.creditNoteId),
    });
  }
  switch (command.type) {
    case 'FinalizeInvoice': {
      const { number, now } = command.data;
      checkNumber(number, now);
      const finalized: InvoiceEvent = { type: 'InvoiceFinalized', data: { invoiceId, number, finalizedAt: now } };
      // Nothing to collect (credit covered it, or the items summed to nothing): paid as it is finalised.
      if (amountDueOf(state) > 0) return [finalized];
      return [finalized, { type: 'InvoicePaid', data: { invoiceId, paidAt: now } }];
    }
    case 'VoidInvoice': {
      const { reason, now } = command.data;
      return [{ type: 'InvoiceVoided', data: { invoiceId, ...(reason !== undefined && { reason }), voidedAt: now } }];
    }
    case 'MarkUncollectible':
      return [{ type: 'InvoiceMarkedUncollectible', data: { invoiceId, markedAt: command.data.now } }];
    case 'MarkInvoicePaid': {
      const { paymentId, now } = command.data;
      const due = amountDueOf(state);
      if (due > 0) throw new ConflictError('invoice.amount_due', `${due} ${state.currency} is due: only a payment or a credit note settles it`, { amountDue: due });
      return [{ type: 'InvoicePaid', data: { invoiceId, ...(paymentId !== undefined && { paymentId }), paidAt: now } }];
    }
  }
  const _exhaustive: never = command;
  return _exhaustive;
};
