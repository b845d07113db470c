import { contractInput } from '../../application/contract/index.js';
import { presentContract } from '../../application/contract/index.js';
import { z } from 'zod';
import { idOf, reasonInput } from '../../application/shared/index.js';
import { contracts } from '../../application/contract/index.js';
import { NotFoundError } from '../../domain/shared/index.js';
import { validate } from '../http/index.js';
import { createRouter } from '../http/index.js';
import { contractList } from './list.js';
import { seesCustomer, type CommerceRoutesDeps } from '../shared/index.js';
import { contractExists } from '../../application/contract/index.js';
import { noBody, answerWith, askOf, manages, pointInTimeQuery, readOne } from '../shared/index.js';

const notFound = () => new NotFoundError('contract.not_found', 'the contract does not exist');
const answer = answerWith(contractExists, presentContract, notFound);
const params = z.object({ id: idOf('contract') });
/** Suspend and terminate may say why; the other actions take no body. */
const reasonBody = reasonInput.optional();

export const contractRoutes = (deps: CommerceRoutesDeps) => {
  const router = createRouter('/v1/contracts');
  contractList(router, deps);
  const sees = seesCustomer(deps.commerce);
  const one = readOne(deps.store, { aggregate: contracts, isExisting: contractExists, present: presentContract, notFound, visibleTo: (ctx, s) => sees(ctx, s.customerId) });
  const commands = deps.commerce.contracts;

  router.post('/', manages, validate({ body: contractInput }), async (ctx) => {
    answer(ctx, await commands.create(ctx.state.valid.body, askOf(ctx)), true);
  });

  router.get('/:id', validate({ params, query: pointInTimeQuery }), async (ctx) => {
    await one(ctx, ctx.state.valid.params.id, ctx.state.valid.query);
  });

  router.post('/:id/activate', manages, validate({ params, body: noBody }), async (ctx) => {
    answer(ctx, await commands.activate(ctx.state.valid.params.id, askOf(ctx)));
  });
  router.post('/:id/suspend', manages, validate({ params, body: reasonBody }), async (ctx) => {
    answer(ctx, await commands.suspend(ctx.state.valid.params.id, ctx.state.valid.body, askOf(ctx)));
  });
  router.post('/:id/resume', manages, validate({ params, body: noBody }), async (ctx) => {
    answer(ctx, await commands.resume(ctx.state.valid.params.id, askOf(ctx)));
  });
  router.post('/:id/terminate', manages, validate({ params, body: reasonBody }), async (ctx) => {
    answer(ctx, await commands.terminate(ctx.state.valid.params.id, ctx.state.valid.body, askOf(ctx)));
  });

  return router;
};
