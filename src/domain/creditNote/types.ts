import type { Command, Event } from '../shared/index.js';
import type { InvoiceCreditNoted } from '../invoice/index.js';

/**
 * A credit note as a document of its own (`credit_note-cn_…`): numbered
 * gaplessly per year when issued, and voided. What it credits was decided on
 * its invoice's stream (InvoiceCreditNoted), where every credit note of the
 * invoice is checked against it; this stream records the document, created
 * once with "no stream" under the id the invoice's event names.
 */
export type CreditNoteFacts = Readonly<Omit<InvoiceCreditNoted['data'], 'issuedAt'>>;

export type RecordCreditNote = Command<'RecordCreditNote', CreditNoteFacts & { number: string; issuedAt: string }>;
export type RecordCreditNoteVoid = Command<'RecordCreditNoteVoid', { voidedAt: string }>;
export type CreditNoteCommand = RecordCreditNote | RecordCreditNoteVoid;

export type CreditNoteIssued = Event<'CreditNoteIssued', CreditNoteFacts & { number: string; issuedAt: string }>;
export type CreditNoteVoided = Event<'CreditNoteVoided', { creditNoteId: string; voidedAt: string }>;
export type CreditNoteEvent = CreditNoteIssued | CreditNoteVoided;

export type CreditNoteState =
  | Readonly<{ status: 'NONE' }>
  | Readonly<CreditNoteFacts & { status: 'ISSUED'; number: string; issuedAt: string }>
  | Readonly<CreditNoteFacts & { status: 'VOID'; number: string; issuedAt: string; voidedAt: string }>;
