import { z } from 'zod';
import { idOf, planInput, planPatch, plans } from '../../application/shared/commerce.js';
import { NotFoundError } from '../../domain/shared/index.js';
import type { CommerceRoutesDeps } from '../customer/routes.js';
import { validate } from '../http/validate.js';
import { createRouter } from '../http/routing.js';
import { listRoutes } from '../shared/lists.js';
import { planExists, presentPlan } from '../../application/shared/commerce.js';
import { noBody, answerWith, askOf, manages, pointInTimeQuery, readOne } from '../shared/resource.js';

const notFound = () => new NotFoundError('plan.not_found', 'the plan does not exist');
const answer = answerWith(planExists, presentPlan, notFound);
const params = z.object({ id: idOf('plan') });

/** The catalogue: every signed-in role reads it; ADMIN and MANAGER change it. */
export const planRoutes = (deps: CommerceRoutesDeps) => {
  const router = createRouter('/v1/plans');
  listRoutes.plans(router, deps);
  const commands = deps.commerce.plans;
  const one = readOne(deps.store, { aggregate: plans, isExisting: planExists, present: presentPlan, notFound, visibleTo: async () => true });

  router.post('/', manages, validate({ body: planInput }), async (ctx) => {
    answer(ctx, await commands.create(ctx.state.valid.body, askOf(ctx)), true);
  });

  router.get('/:id', validate({ params, query: pointInTimeQuery }), async (ctx) => {
    await one(ctx, ctx.state.valid.params.id, ctx.state.valid.query);
  });

  router.patch('/:id', manages, validate({ params, body: planPatch }), async (ctx) => {
    answer(ctx, await commands.update(ctx.state.valid.params.id, ctx.state.valid.body, askOf(ctx)));
  });

  router.post('/:id/archive', manages, validate({ params, body: noBody }), async (ctx) => {
    answer(ctx, await commands.archive(ctx.state.valid.params.id, askOf(ctx)));
  });

  return router;
};
