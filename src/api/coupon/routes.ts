import { z } from 'zod';
import { couponExists, couponInput, coupons, presentCoupon } from '../../application/coupon/index.js';
import { idOf } from '../../application/shared/index.js';
import { couponStreamName } from '../../domain/coupon/index.js';
import { NotFoundError } from '../../domain/shared/index.js';
import { foldStream } from '../../eventstore/index.js';
import { STREAMS_PROJECTION, streamsOfCategory } from '../../projections/stream/index.js';
import { createRouter, keysetCursor, page, requireRole, validate } from '../http/index.js';
import { answerWith, askOf, manages, minPosition, noBody, pointInTimeQuery, readOne, type CommerceRoutesDeps } from '../shared/index.js';

const notFound = () => new NotFoundError('coupon.not_found', 'the coupon does not exist');
const answer = answerWith(couponExists, presentCoupon, notFound);
const params = z.object({ id: idOf('coupon') });
const PREFIX = 'coupon-';
const cursor = keysetCursor((key) => /^cpn_[0-9a-f]{32}$/.test(key));

/** Coupons: ADMIN and MANAGER create and archive them (never edit); ADMIN, MANAGER and AUDITOR read them (a USER is told none exists). */
export const couponRoutes = (deps: CommerceRoutesDeps) => {
  const router = createRouter('/v1/coupons');
  const commands = deps.commerce.coupons;
  const one = readOne(deps.store, { aggregate: coupons, isExisting: couponExists, present: presentCoupon, notFound, visibleTo: async (ctx) => ctx.state.actor?.role !== 'USER' });

  router.post('/', manages, validate({ body: couponInput }), async (ctx) => {
    answer(ctx, await commands.create(ctx.state.valid.body, askOf(ctx)), true);
  });

  router.get(
    '/',
    requireRole('ADMIN', 'MANAGER', 'AUDITOR'),
    minPosition(deps.projections, [STREAMS_PROJECTION], deps.waitMs),
    validate({ query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20), cursor: cursor.schema.optional() }).strict() }),
    async (ctx) => {
      const { limit, cursor: after } = ctx.state.valid.query;
      const names = await streamsOfCategory(deps.db, 'coupon', limit, after === undefined ? undefined : couponStreamName(after));
      const rows = await Promise.all(names.map(async (name) => ({ name, ...(await foldStream(deps.store, name, coupons.decider)) })));
      const existing = rows.flatMap((r) => (couponExists(r.state) && r.revision !== undefined ? [{ name: r.name, state: r.state, revision: r.revision }] : []));
      ctx.body = page(existing, limit, (last) => cursor.encode(last.name.slice(PREFIX.length)), (r) => presentCoupon(r.state, r.revision));
    },
  );

  router.get('/:id', validate({ params, query: pointInTimeQuery }), async (ctx) => {
    await one(ctx, ctx.state.valid.params.id, ctx.state.valid.query);
  });

  router.post('/:id/archive', manages, validate({ params, body: noBody }), async (ctx) => {
    answer(ctx, await commands.archive(ctx.state.valid.params.id, askOf(ctx)));
  });

  return router;
};
