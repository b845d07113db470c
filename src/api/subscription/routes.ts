import { cancelInput, changePlanInput, changeQuantityInput, subscriptionInput } from '../../application/subscription/index.js';
import { presentSubscription } from '../../application/subscription/index.js';
import type { Middleware } from 'koa';
import { z } from 'zod';
import { idOf } from '../../application/shared/index.js';
import { subscriptions } from '../../application/subscription/index.js';
import { CONTRACT_CASCADES } from '../../application/contract/index.js';
import { couponChoice } from '../../application/coupon/index.js';
import { NotFoundError } from '../../domain/shared/index.js';
import { untilPosition } from '../shared/index.js';
import { requireRole } from '../http/index.js';
import { validate } from '../http/index.js';
import { createRouter } from '../http/index.js';
import { subscriptionList } from './list.js';
import type { ApiState } from '../http/index.js';
import { seesCustomer, type CommerceRoutesDeps } from '../shared/index.js';
import { subscriptionExists } from '../../application/subscription/index.js';
import { noBody, answerWith, askOf, manages, pointInTimeQuery, readOne, type Ctx } from '../shared/index.js';

const notFound = () => new NotFoundError('subscription.not_found', 'the subscription does not exist');
const answer = answerWith(subscriptionExists, presentSubscription, notFound);
const params = z.object({ id: idOf('subscription') });

export const subscriptionRoutes = (deps: CommerceRoutesDeps) => {
  const router = createRouter('/v1/subscriptions');
  subscriptionList(router, deps);
  const sees = seesCustomer(deps.commerce);
  const one = readOne(deps.store, { aggregate: subscriptions, isExisting: subscriptionExists, present: presentSubscription, notFound, visibleTo: (ctx, s) => sees(ctx, s.customerId) });
  const commands = deps.commerce.subscriptions;

  /**
   * A USER may cancel and reactivate the subscriptions of customers it owns.
   * Unknown and foreign ids get the same 404, decided before any write.
   */
  const ownSubscription: Middleware<ApiState> = async (ctx, next) => {
    const c = ctx as Ctx;
    if (c.state.actor?.role === 'USER') {
      const { state } = await commands.current((c.state.valid!.params as { id: string }).id);
      if (!subscriptionExists(state) || !(await sees(c, state.customerId))) throw notFound();
    }
    await next();
  };
  const managesOrOwns = requireRole('ADMIN', 'MANAGER', 'USER');

  /**
   * A subscription is read from its stream, current once written; what
   * X-Min-Position waits for here is the contract cascades, which write a
   * suspension's pauses after the suspension.
   */
  const cascaded = untilPosition(deps.cascades.waitFor, [CONTRACT_CASCADES], deps.waitMs);

  router.post('/', manages, validate({ body: subscriptionInput }), async (ctx) => {
    answer(ctx, await commands.create(ctx.state.valid.body, askOf(ctx)), true);
  });

  router.get('/:id', cascaded, validate({ params, query: pointInTimeQuery }), async (ctx) => {
    await one(ctx, ctx.state.valid.params.id, ctx.state.valid.query);
  });

  router.post('/:id/pause', manages, validate({ params, body: noBody }), async (ctx) => {
    answer(ctx, await commands.pause(ctx.state.valid.params.id, askOf(ctx)));
  });
  router.post('/:id/resume', manages, validate({ params, body: noBody }), async (ctx) => {
    answer(ctx, await commands.resume(ctx.state.valid.params.id, askOf(ctx)));
  });
  router.post('/:id/change-plan', manages, validate({ params, body: changePlanInput }), async (ctx) => {
    answer(ctx, await commands.changePlan(ctx.state.valid.params.id, ctx.state.valid.body, askOf(ctx)));
  });
  router.post('/:id/change-quantity', manages, validate({ params, body: changeQuantityInput }), async (ctx) => {
    answer(ctx, await commands.changeQuantity(ctx.state.valid.params.id, ctx.state.valid.body, askOf(ctx)));
  });
  router.post('/:id/cancel', managesOrOwns, validate({ params, body: cancelInput.optional() }), ownSubscription, async (ctx) => {
    answer(ctx, await commands.cancel(ctx.state.valid.params.id, ctx.state.valid.body ?? {}, askOf(ctx)));
  });
  router.post('/:id/reactivate', managesOrOwns, validate({ params, body: noBody }), ownSubscription, async (ctx) => {
    answer(ctx, await commands.reactivate(ctx.state.valid.params.id, askOf(ctx)));
  });
  // A coupon is staff's to give: a USER, even the owner, gets 403 before anything is looked up.
  router.post('/:id/discount', manages, validate({ params, body: couponChoice }), async (ctx) => {
    answer(ctx, await commands.applyCoupon(ctx.state.valid.params.id, ctx.state.valid.body, askOf(ctx)));
  });
  router.delete('/:id/discount', manages, validate({ params }), async (ctx) => {
    answer(ctx, await commands.removeDiscount(ctx.state.valid.params.id, askOf(ctx)));
  });

  return router;
};
