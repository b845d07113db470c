import { userOf } from '../../domain/shared/index.js';
import { z } from 'zod';
import { ID, idOf } from '../../application/shared/index.js';
import { CUSTOMERS_PROJECTION } from '../../projections/customer/index.js';
import { listRefunds, REFUNDS_PROJECTION, type RefundRow } from '../../projections/refund/index.js';
import { createRouter, keysetCursor, page, validate } from '../http/index.js';
import { instantAndId, minPosition, type CommerceRoutesDeps } from '../shared/index.js';

const present = (r: RefundRow) => ({
  refundId: r.refund_id,
  invoiceId: r.invoice_id,
  customerId: r.customer_id,
  chargeId: r.charge_id,
  amount: Number(r.amount),
  currency: r.currency,
  cause: r.cause_kind === 'credit_note' ? { kind: 'credit_note', creditNoteId: r.credit_note_id } : { kind: r.cause_kind },
  status: r.status,
  failureCode: r.failure_code,
  gatewayRefundId: r.gateway_refund_id,
  requestedAt: r.requested_at.toISOString(),
  settledAt: r.settled_at?.toISOString() ?? null,
  revision: String(r.revision),
});

const keyOf = (text: string) => {
  const key = instantAndId(text, ID.refund);
  return key && { requestedAt: key.at, refundId: key.id };
};
const cursor = keysetCursor((key) => keyOf(key) !== undefined);

/**
 * Refunds, which credit notes and overpayments ask for (they are not
 * created by hand): read by whoever may read the invoice, a USER those of
 * the customers it owns.
 */
export const refundRoutes = (deps: CommerceRoutesDeps) => {
  const router = createRouter('/v1/refunds');
  router.get(
    '/',
    minPosition(deps.projections, [REFUNDS_PROJECTION, CUSTOMERS_PROJECTION], deps.waitMs),
    validate({
      query: z
        .object({ invoiceId: idOf('invoice').optional(), customerId: idOf('customer').optional(), limit: z.coerce.number().int().min(1).max(100).default(20), cursor: cursor.schema.optional() })
        .strict(),
    }),
    async (ctx) => {
      const { cursor: after, ...q } = ctx.state.valid.query;
      const actor = ctx.state.actor!;
      const rows = await listRefunds(deps.db, { ...q, ...(actor.role === 'USER' && { ownerUserId: userOf(actor) }), ...(after && { after: keyOf(after)! }) });
      ctx.body = page(rows, q.limit, (last) => cursor.encode(`${last.requested_at.toISOString()}|${last.refund_id}`), present);
    },
  );
  return router;
};
