import type { CreditNoteEvent } from '../../domain/creditNote/index.js';
import { domainEvent, type Projection } from '../runtime/index.js';

export const CREDIT_NOTES_PROJECTION = 'credit_notes';

/** Credit notes' documents into read.credit_notes: issued (inserted once), voided (guarded by the revision). */
export const creditNotesProjection: Projection = {
  name: CREDIT_NOTES_PROJECTION,
  filter: { streamPrefixes: ['credit_note-'] },
  apply: async (trx, events) => {
    for (const recorded of events) {
      const event = domainEvent<CreditNoteEvent>(recorded);
      if (event.type === 'CreditNoteIssued') {
        const d = event.data;
        await trx
          .insertInto('read.credit_notes')
          .values({
            credit_note_id: d.creditNoteId,
            number: d.number,
            invoice_id: d.invoiceId,
            customer_id: d.customerId,
            status: 'ISSUED',
            currency: d.currency,
            reason: d.reason,
            memo: d.memo ?? null,
            amount: d.amount,
            tax: d.tax ?? 0,
            taxes: JSON.stringify(d.taxes ?? []),
            refund_taxes: JSON.stringify(d.refundTaxes ?? []),
            pre_payment: d.prePayment,
            refund: d.refund,
            credit: d.credit,
            out_of_band: d.outOfBand,
            automatic: d.automatic,
            lines: JSON.stringify(d.lines),
            issued_at: d.issuedAt,
            voided_at: null,
            revision: recorded.revision.toString(),
          })
          .onConflict((oc) => oc.column('credit_note_id').doNothing())
          .execute();
      } else if (event.type === 'CreditNoteVoided') {
        await trx
          .updateTable('read.credit_notes')
          .set({ status: 'VOID', voided_at: event.data.voidedAt, revision: recorded.revision.toString() })
          .where('credit_note_id', '=', event.data.creditNoteId)
          .where('revision', '<', recorded.revision.toString())
          .execute();
      }
    }
  },
  reset: async (trx) => {
    await trx.deleteFrom('read.credit_notes').execute();
  },
};
