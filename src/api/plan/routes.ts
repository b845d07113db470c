import { planInput, planPatch } from '../../application/plan/index.js';
import { presentPlan } from '../../application/plan/index.js';
import { z } from 'zod';
import { idOf } from '../../application/shared/index.js';
import { plans } from '../../application/plan/index.js';
import { NotFoundError } from '../../domain/shared/index.js';
import type { CommerceRoutesDeps } from '../shared/index.js';
import { validate } from '../http/index.js';
import { createRouter } from '../http/index.js';
import { planList } from './list.js';
import { planExists } from '../../application/plan/index.js';
import { taxRateChoice } from '../../application/taxRate/index.js';
import { noBody, answerWith, askOf, manages, pointInTimeQuery, readOne } from '../shared/index.js';

const notFound = () => new NotFoundError('plan.not_found', 'the plan does not exist');
const answer = answerWith(planExists, presentPlan, notFound);
const params = z.object({ id: idOf('plan') });

/** The catalogue: every signed-in role reads it; ADMIN and MANAGER change it. */
export const planRoutes = (deps: CommerceRoutesDeps) => {
  const router = createRouter('/v1/plans');
  planList(router, deps);
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

  router.post('/:id/tax-rate', manages, validate({ params, body: taxRateChoice }), async (ctx) => {
    answer(ctx, await commands.setTaxRate(ctx.state.valid.params.id, ctx.state.valid.body, askOf(ctx)));
  });

  router.post('/:id/archive', manages, validate({ params, body: noBody }), async (ctx) => {
    answer(ctx, await commands.archive(ctx.state.valid.params.id, askOf(ctx)));
  });

  return router;
};
