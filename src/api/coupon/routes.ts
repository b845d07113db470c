import { z } from 'zod';
import { couponExists, couponInput, coupons, presentCoupon } from '../../application/coupon/index.js';
import { ID, idOf } from '../../application/shared/index.js';
import { NotFoundError } from '../../domain/shared/index.js';
import { STREAMS_PROJECTION } from '../../projections/stream/index.js';
import { createRouter, requireRole, validate } from '../http/index.js';
import { answerWith, askOf, manages, minPosition, noBody, pointInTimeQuery, readOne, streamList, type CommerceRoutesDeps } from '../shared/index.js';

const notFound = () => new NotFoundError('coupon.not_found', 'the coupon does not exist');
const answer = answerWith(couponExists, presentCoupon, notFound);
const params = z.object({ id: idOf('coupon') });

/** Coupons: ADMIN and MANAGER create and archive them (never edit); ADMIN, MANAGER and AUDITOR read them (a USER is told none exists). */
export const couponRoutes = (deps: CommerceRoutesDeps) => {
  const router = createRouter('/v1/coupons');
  const commands = deps.commerce.coupons;
  const list = streamList(deps, { aggregate: coupons, isExisting: couponExists, present: presentCoupon, category: 'coupon', id: ID.coupon });
  const one = readOne(deps.store, { aggregate: coupons, isExisting: couponExists, present: presentCoupon, notFound, visibleTo: async (ctx) => ctx.state.actor?.role !== 'USER' });

  router.post('/', manages, validate({ body: couponInput }), async (ctx) => {
    answer(ctx, await commands.create(ctx.state.valid.body, askOf(ctx)), true);
  });

  router.get(
    '/',
    requireRole('ADMIN', 'MANAGER', 'AUDITOR'),
    minPosition(deps.projections, [STREAMS_PROJECTION], deps.waitMs),
    validate({ query: list.query }),
    async (ctx) => {
      await list.answer(ctx, ctx.state.valid.query);
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
