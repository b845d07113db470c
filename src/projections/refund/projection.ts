import type { RefundEvent } from '../../domain/refund/index.js';
import { domainEvent, type Projection } from '../runtime/index.js';

export const REFUNDS_PROJECTION = 'refunds';

/** Refund streams into read.refunds: requested (inserted once), then its result (guarded by the revision). */
export const refundsProjection: Projection = {
  name: REFUNDS_PROJECTION,
  filter: { streamPrefixes: ['refund-'] },
  apply: async (trx, events) => {
    for (const recorded of events) {
      const event = domainEvent<RefundEvent>(recorded);
      const revision = recorded.revision.toString();
      if (event.type === 'RefundRequested') {
        const d = event.data;
        await trx
          .insertInto('read.refunds')
          .values({
            refund_id: d.refundId,
            invoice_id: d.invoiceId,
            customer_id: d.customerId,
            charge_id: d.chargeId,
            amount: d.amount,
            currency: d.currency,
            cause_kind: d.cause.kind,
            credit_note_id: d.cause.kind === 'credit_note' ? d.cause.creditNoteId : null,
            status: 'PENDING',
            failure_code: null,
            gateway_refund_id: null,
            requested_at: d.requestedAt,
            settled_at: null,
            revision,
          })
          .onConflict((oc) => oc.column('refund_id').doNothing())
          .execute();
        continue;
      }
      const settled =
        event.type === 'RefundSucceeded'
          ? { status: 'SUCCEEDED', gateway_refund_id: event.data.gatewayRefundId, settled_at: event.data.succeededAt }
          : { status: 'FAILED', failure_code: event.data.code, gateway_refund_id: event.data.gatewayRefundId, settled_at: event.data.failedAt };
      await trx.updateTable('read.refunds').set({ ...settled, revision }).where('refund_id', '=', event.data.refundId).where('revision', '<', revision).execute();
    }
  },
  reset: async (trx) => {
    await trx.deleteFrom('read.refunds').execute();
  },
};
