import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Clock } from '../../clock/index.js';
import type { Database } from '../../db/index.js';
import { customerDecider, customerStreamName } from '../../domain/customer/index.js';
import { creditNoteDecider, creditNoteStreamName, type CreditNoteState } from '../../domain/creditNote/index.js';
import { CREDIT_NOTE_REASONS, invoiceDecider, invoiceStreamName, type InvoiceCreditNoted } from '../../domain/invoice/index.js';
import { displayText, NotFoundError, safeText } from '../../domain/shared/index.js';
import { foldStream, handleCommand, type EventStore, type Position } from '../../eventstore/index.js';
import { contextOf, newId, originOnly, parseInput, type Ask, type Origin } from '../shared/index.js';
import { documentNumberFor } from './numbering.js';

const amount = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const part = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** By lines or by amount, with the reason; the part beyond the amount due split into refund, credit and out of band. */
export const creditNoteInput = z
  .object({
    reason: z.enum(CREDIT_NOTE_REASONS),
    memo: displayText(500).optional(),
    lines: z.array(z.object({ itemKey: safeText.min(1).max(300), amount }).strict()).min(1).max(100).optional(),
    amount: amount.optional(),
    refund: part.optional(),
    credit: part.optional(),
    outOfBand: part.optional(),
  })
  .strict()
  .refine((c) => (c.lines === undefined) !== (c.amount === undefined), { message: 'give lines or an amount, not both', path: ['lines'] });

export type CreditNoteDeps = Readonly<{ store: EventStore; db: Kysely<Database>; clock: Clock }>;

/** What the invoice decided, as the document records it. */
export type NotedCreditNote = InvoiceCreditNoted['data'];

export const CREDIT_NOTE_SERIES = 'CN';

/**
 * Credit notes: decided on their invoice's stream, where every credit note of
 * the invoice is checked against it, then recorded as documents of their own
 * (`credit_note-cn_…`), numbered per year without gaps, and the credit they
 * give carried to the customer's balance. The second part (`complete`) is
 * safe to run again: collections runs it on every InvoiceCreditNoted too, so
 * a crash between the two parts leaves nothing half done for long.
 */
export const createCreditNotes = (deps: CreditNoteDeps) => {
  const current = (creditNoteId: string) => foldStream(deps.store, creditNoteStreamName(creditNoteId), creditNoteDecider);

  const complete = async (noted: NotedCreditNote, origin: Origin): Promise<Position | undefined> => {
    const { creditNoteId, issuedAt, invoiceId: _i, ...facts } = noted;
    const now = deps.clock.now();
    const at = (commandId: string) => ({ ...contextOf(origin, now), commandId });
    const number = await documentNumberFor(deps.db, CREDIT_NOTE_SERIES, creditNoteId, new Date(issuedAt).getUTCFullYear(), now);
    const recorded = await handleCommand(
      deps.store,
      creditNoteStreamName(creditNoteId),
      creditNoteDecider,
      { type: 'RecordCreditNote', data: { creditNoteId, invoiceId: noted.invoiceId, ...facts, number, issuedAt } },
      at(`record:${creditNoteId}`),
    );
    if (noted.credit === 0) return recorded.position;
    const granted = await handleCommand(
      deps.store,
      customerStreamName(noted.customerId),
      customerDecider,
      { type: 'GrantCredit', data: { amount: noted.credit, currency: noted.currency, reason: 'credit_note', invoiceId: noted.invoiceId, now: issuedAt } },
      at(`credit-note:${creditNoteId}`),
    );
    return granted.position ?? recorded.position;
  };

  /** Records a void its invoice took, on the document. */
  const completeVoid = async (creditNoteId: string, voidedAt: string, origin: Origin) =>
    handleCommand(deps.store, creditNoteStreamName(creditNoteId), creditNoteDecider, { type: 'RecordCreditNoteVoid', data: { voidedAt } }, {
      ...contextOf(origin, deps.clock.now()),
      commandId: `void:${creditNoteId}`,
    });

  const answer = async (creditNoteId: string): Promise<{ state: CreditNoteState; revision: bigint | undefined }> => current(creditNoteId);

  return {
    current,
    complete,
    completeVoid,

    /** Issues a credit note on an invoice (If-Match: the invoice's revision); answers the numbered document. */
    issue: async (invoiceId: string, input: z.input<typeof creditNoteInput>, ask: Ask) => {
      const valid = parseInput(creditNoteInput, input, 'credit_note.invalid');
      const creditNoteId = newId('cn');
      const now = deps.clock.now();
      const decided = await handleCommand(
        deps.store,
        invoiceStreamName(invoiceId),
        invoiceDecider,
        { type: 'IssueCreditNote', data: { creditNoteId, ...valid, now: now.toISOString() } },
        { ...contextOf(ask, now, ask.ifMatch), ...(ask.commandId !== undefined && { commandId: ask.commandId }) },
      );
      const noted = decided.newEvents.find((e) => e.type === 'InvoiceCreditNoted');
      if (noted?.type !== 'InvoiceCreditNoted') throw new NotFoundError('credit_note.not_found', 'the credit note was not issued');
      const position = await complete(noted.data, originOnly(ask));
      return { ...(await answer(noted.data.creditNoteId)), position: position ?? decided.position };
    },

    /** Voids a credit note that moved no money out (its invoice decides); answers the document. */
    void: async (creditNoteId: string, ask: Ask) => {
      const { state } = await current(creditNoteId);
      if (state.status === 'NONE') throw new NotFoundError('credit_note.not_found', 'the credit note does not exist');
      const now = deps.clock.now();
      await handleCommand(deps.store, invoiceStreamName(state.invoiceId), invoiceDecider, { type: 'VoidCreditNote', data: { creditNoteId, now: now.toISOString() } }, contextOf(ask, now));
      const voided = await completeVoid(creditNoteId, now.toISOString(), originOnly(ask));
      return { ...(await answer(creditNoteId)), position: voided.position };
    },
  };
};

export type CreditNotes = ReturnType<typeof createCreditNotes>;
