import { presentInvoice } from '../../application/invoice/index.js';
import { z } from 'zod';
import { invoices, type InvoiceCommands } from '../../application/invoice/index.js';
import type { CollectionCommands } from '../../application/collection/index.js';
import { ID, idOf, instant, reasonInput } from '../../application/shared/index.js';
import { INVOICE_STATUSES, type InvoiceState } from '../../domain/invoice/index.js';
import { NotFoundError, userOf } from '../../domain/shared/index.js';
import { CUSTOMERS_PROJECTION } from '../../projections/customer/index.js';
import { INVOICES_PROJECTION, listInvoices } from '../../projections/invoice/index.js';
import { isInstantText, minPosition } from '../shared/index.js';
import { seesCustomer, type CommerceRoutesDeps } from '../shared/index.js';
import { answerWith, askOf, manages, noBody, pointInTimeQuery, readOne } from '../shared/index.js';
import { requireRole, type ApiState } from '../http/index.js';
import type { Middleware } from 'koa';
import { validate } from '../http/index.js';
import { keysetCursor, page } from '../http/index.js';
import { createRouter } from '../http/index.js';

export type InvoiceRoutesDeps = CommerceRoutesDeps &
  Readonly<{
    invoices: InvoiceCommands;
    collections: CollectionCommands;
    /** Counts a USER's pay requests for one invoice: 429 beyond the day's allowance. */
    payQuota: Middleware<ApiState>;
  }>;

type Existing = Exclude<InvoiceState, { status: 'NONE' }>;
const isExisting = (s: InvoiceState): s is Existing => s.status !== 'NONE';
const notFound = () => new NotFoundError('invoice.not_found', 'the invoice does not exist');
const answer = answerWith(isExisting, presentInvoice, notFound);
const params = z.object({ id: idOf('invoice') });

/**
 * The list's keyset is (period_start, invoice_id): the cursor carries both,
 * as `<ISO instant>|<invoice id>`, and decoding checks each, so a forged
 * cursor is a 400.
 */
const SEPARATOR = '|';
const keyOf = (text: string) => {
  const [periodStart, invoiceId = '', ...rest] = text.split(SEPARATOR);
  return rest.length === 0 && isInstantText(periodStart) && ID.invoice.test(invoiceId) ? { periodStart, invoiceId } : undefined;
};
const cursor = keysetCursor((key) => keyOf(key) !== undefined);

const listQuery = z
  .object({
    customerId: idOf('customer').optional(),
    subscriptionId: idOf('subscription').optional(),
    status: z.enum(INVOICE_STATUSES).optional(),
    periodFrom: instant.optional(),
    periodTo: instant.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: cursor.schema.optional(),
  })
  // zod runs this even when a field failed, with that field's raw text: compare only two instants.
  .refine((q) => !(isInstantText(q.periodFrom) && isInstantText(q.periodTo)) || Date.parse(q.periodFrom) < Date.parse(q.periodTo), {
    message: 'periodFrom must be before periodTo',
    path: ['periodFrom'],
  });

/**
 * Invoices, which the billing engine creates. Everyone who may read reads
 * them; a USER only those of the customers it owns, and gets the same 404 for
 * a foreign id as for an unknown one. ADMIN and MANAGER finalise and void.
 */
export const invoiceRoutes = (deps: InvoiceRoutesDeps) => {
  const router = createRouter('/v1/invoices');
  const sees = seesCustomer(deps.commerce);
  const one = readOne(deps.store, { aggregate: invoices, isExisting, present: presentInvoice, notFound, visibleTo: (ctx, s) => sees(ctx, s.customerId) });

  /** From the read models; X-Min-Position waits for the customers' too, which ownership reads. */
  router.get('/', minPosition(deps.projections, [INVOICES_PROJECTION, CUSTOMERS_PROJECTION], deps.waitMs), validate({ query: listQuery }), async (ctx) => {
    const { cursor: after, ...q } = ctx.state.valid.query;
    const actor = ctx.state.actor!;
    const rows = await listInvoices(deps.db, {
      ...q,
      // Owners are read from read.customers at query time, as for the commerce lists.
      ...(actor.role === 'USER' && { ownerUserId: userOf(actor) }),
      ...(after && { after: keyOf(after)! }),
    });
    ctx.body = page(rows, q.limit, (last) => cursor.encode(`${last.periodStart}${SEPARATOR}${last.invoiceId}`), (r) => presentInvoice(r, r.revision));
  });

  router.get('/:id', validate({ params, query: pointInTimeQuery }), async (ctx) => {
    await one(ctx, ctx.state.valid.params.id, ctx.state.valid.query);
  });

  router.post('/:id/finalize', manages, validate({ params, body: noBody }), async (ctx) => {
    answer(ctx, await deps.invoices.finalizeInvoice(ctx.state.valid.params.id, askOf(ctx)));
  });

  router.post('/:id/void', manages, validate({ params, body: reasonInput.optional() }), async (ctx) => {
    answer(ctx, await deps.invoices.voidInvoice(ctx.state.valid.params.id, ctx.state.valid.body, askOf(ctx)));
  });

  /**
   * Pay now: a charge job for the next attempt (or the one under way), 202
   * with where to watch it. A USER pays the invoices of the customers it owns,
   * as Stripe lets a customer pay their own; another's is "not found".
   */
  router.post('/:id/pay', requireRole('ADMIN', 'MANAGER', 'USER'), validate({ params, body: noBody }), async (ctx) => {
    const { id } = ctx.state.valid.params;
    const { state } = await deps.invoices.current(id);
    if (!isExisting(state) || !(await sees(ctx, state.customerId))) throw notFound();
    // Counted once the invoice is known to be the caller's: another USER cannot spend its owner's allowance.
    const pay = async () => {
      const { invoiceId, attempt, jobId } = await deps.collections.pay(id, askOf(ctx));
      ctx.status = 202;
      ctx.set('Location', `/v1/jobs/${jobId}`);
      ctx.body = { data: { invoiceId, attempt, jobId } };
    };
    await (ctx.state.actor!.role === 'USER' ? deps.payQuota(ctx, pay) : pay());
  });

  router.post('/:id/mark-uncollectible', manages, validate({ params, body: noBody }), async (ctx) => {
    answer(ctx, await deps.collections.markUncollectible(ctx.state.valid.params.id, askOf(ctx)));
  });

  return router;
};
