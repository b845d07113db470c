import { z } from 'zod';
import { creditNoteInput, presentCreditNote, type CreditNotes } from '../../application/creditNote/index.js';
import { ID, idOf } from '../../application/shared/index.js';
import type { CreditNoteState } from '../../domain/creditNote/index.js';
import { invoiceStreamName } from '../../domain/invoice/index.js';
import { NotFoundError, userOf } from '../../domain/shared/index.js';
import { foldStream } from '../../eventstore/index.js';
import { invoiceDecider } from '../../domain/invoice/index.js';
import { CREDIT_NOTES_PROJECTION, listCreditNotes, type CreditNoteRow } from '../../projections/creditNote/index.js';
import { CUSTOMERS_PROJECTION } from '../../projections/customer/index.js';
import { createRouter, keysetCursor, page, validate } from '../http/index.js';
import { askOf, etag, instantAndId, manages, minPosition, noBody, seesCustomer, setPosition, type CommerceRoutesDeps, type Ctx } from '../shared/index.js';

export type CreditNoteRoutesDeps = CommerceRoutesDeps & Readonly<{ creditNotes: CreditNotes }>;

const notFound = () => new NotFoundError('credit_note.not_found', 'the credit note does not exist');
type Existing = Exclude<CreditNoteState, { status: 'NONE' }>;

/** A credit note, with its revision as the ETag and the position of what wrote it. */
const answer = (ctx: Ctx, result: { state: CreditNoteState; revision: bigint | undefined; position?: Parameters<typeof setPosition>[1] }, created = false) => {
  if (result.state.status === 'NONE' || result.revision === undefined) throw notFound();
  ctx.set('ETag', etag(result.revision));
  if (created) ctx.status = 201;
  ctx.body = { data: presentCreditNote(result.state, result.revision), position: setPosition(ctx, result.position) };
};

const fromRow = (r: CreditNoteRow) =>
  presentCreditNote(
    {
      creditNoteId: r.credit_note_id,
      number: r.number,
      invoiceId: r.invoice_id,
      customerId: r.customer_id,
      currency: r.currency,
      reason: r.reason as Existing['reason'],
      ...(r.memo !== null && { memo: r.memo }),
      lines: r.lines as Existing['lines'],
      amount: Number(r.amount),
      tax: Number(r.tax),
      taxes: r.taxes as Existing['taxes'],
      refundTaxes: r.refund_taxes as Existing['refundTaxes'],
      prePayment: Number(r.pre_payment),
      refund: Number(r.refund),
      credit: Number(r.credit),
      outOfBand: Number(r.out_of_band),
      automatic: r.automatic,
      issuedAt: r.issued_at.toISOString(),
      ...(r.status === 'VOID' ? { status: 'VOID' as const, voidedAt: r.voided_at!.toISOString() } : { status: 'ISSUED' as const }),
    } as Existing,
    BigInt(r.revision),
  );

const keyOf = (text: string) => {
  const key = instantAndId(text, ID.creditNote);
  return key && { issuedAt: key.at, creditNoteId: key.id };
};
const cursor = keysetCursor((key) => keyOf(key) !== undefined);
const listQuery = z
  .object({ invoiceId: idOf('invoice').optional(), customerId: idOf('customer').optional(), limit: z.coerce.number().int().min(1).max(100).default(20), cursor: cursor.schema.optional() })
  .strict();

/**
 * Credit notes. ADMIN and MANAGER issue them on an invoice and void them;
 * whoever may read the invoice reads its credit notes: a USER those of the
 * customers it owns, and the same 404 for another's as for none.
 */
export const creditNoteRoutes = (deps: CreditNoteRoutesDeps) => {
  const router = createRouter('/v1');
  const sees = seesCustomer(deps.commerce);
  const caughtUp = minPosition(deps.projections, [CREDIT_NOTES_PROJECTION, CUSTOMERS_PROJECTION], deps.waitMs);
  const invoiceParams = z.object({ id: idOf('invoice') });
  const params = z.object({ id: idOf('creditNote') });

  router.post('/invoices/:id/credit-notes', manages, validate({ params: invoiceParams, body: creditNoteInput }), async (ctx) => {
    answer(ctx, await deps.creditNotes.issue(ctx.state.valid.params.id, ctx.state.valid.body, askOf(ctx)), true);
  });

  const list = async (ctx: Ctx, q: z.infer<typeof listQuery>) => {
    const actor = ctx.state.actor!;
    const { cursor: after, ...filter } = q;
    const rows = await listCreditNotes(deps.db, { ...filter, ...(actor.role === 'USER' && { ownerUserId: userOf(actor) }), ...(after && { after: keyOf(after)! }) });
    ctx.body = page(rows, q.limit, (last) => cursor.encode(`${last.issued_at.toISOString()}|${last.credit_note_id}`), fromRow);
  };

  router.get('/invoices/:id/credit-notes', caughtUp, validate({ params: invoiceParams, query: listQuery.omit({ invoiceId: true }) }), async (ctx) => {
    const { id } = ctx.state.valid.params;
    const { state } = await foldStream(deps.store, invoiceStreamName(id), invoiceDecider);
    if (state.status === 'NONE' || !(await sees(ctx, state.customerId))) throw new NotFoundError('invoice.not_found', 'the invoice does not exist');
    await list(ctx, { ...ctx.state.valid.query, invoiceId: id });
  });

  router.get('/credit-notes', caughtUp, validate({ query: listQuery }), async (ctx) => {
    await list(ctx, ctx.state.valid.query);
  });

  router.get('/credit-notes/:id', validate({ params, query: z.object({}).strict() }), async (ctx) => {
    const found = await deps.creditNotes.current(ctx.state.valid.params.id);
    if (found.state.status === 'NONE' || !(await sees(ctx, found.state.customerId))) throw notFound();
    answer(ctx, found);
  });

  router.post('/credit-notes/:id/void', manages, validate({ params, body: noBody }), async (ctx) => {
    answer(ctx, await deps.creditNotes.void(ctx.state.valid.params.id, askOf(ctx)));
  });

  return router;
};
