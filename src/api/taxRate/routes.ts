import { z } from 'zod';
import { presentTaxRate, taxRateExists, taxRateInput, taxRates } from '../../application/taxRate/index.js';
import { ID, idOf } from '../../application/shared/index.js';
import { NotFoundError } from '../../domain/shared/index.js';
import { STREAMS_PROJECTION } from '../../projections/stream/index.js';
import { createRouter, validate } from '../http/index.js';
import { answerWith, askOf, manages, minPosition, noBody, pointInTimeQuery, readOne, streamList, type CommerceRoutesDeps } from '../shared/index.js';

const notFound = () => new NotFoundError('tax_rate.not_found', 'the tax rate does not exist');
const answer = answerWith(taxRateExists, presentTaxRate, notFound);
const params = z.object({ id: idOf('taxRate') });

/**
 * Tax rates: ADMIN and MANAGER create and deactivate them (never edit: a
 * new percentage is a new rate); every signed-in role reads them. Few enough
 * to be listed from their streams, by id.
 */
export const taxRateRoutes = (deps: CommerceRoutesDeps) => {
  const router = createRouter('/v1/tax-rates');
  const commands = deps.commerce.taxRates;
  const list = streamList(deps, { aggregate: taxRates, isExisting: taxRateExists, present: presentTaxRate, category: 'tax_rate', id: ID.taxRate });
  const one = readOne(deps.store, { aggregate: taxRates, isExisting: taxRateExists, present: presentTaxRate, notFound, visibleTo: async () => true });

  router.post('/', manages, validate({ body: taxRateInput }), async (ctx) => {
    answer(ctx, await commands.create(ctx.state.valid.body, askOf(ctx)), true);
  });

  router.get(
    '/',
    minPosition(deps.projections, [STREAMS_PROJECTION], deps.waitMs),
    validate({ query: list.query }),
    async (ctx) => {
      await list.answer(ctx, ctx.state.valid.query);
    },
  );

  router.get('/:id', validate({ params, query: pointInTimeQuery }), async (ctx) => {
    await one(ctx, ctx.state.valid.params.id, ctx.state.valid.query);
  });

  router.post('/:id/deactivate', manages, validate({ params, body: noBody }), async (ctx) => {
    answer(ctx, await commands.deactivate(ctx.state.valid.params.id, askOf(ctx)));
  });

  return router;
};
