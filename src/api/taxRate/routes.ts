import { z } from 'zod';
import { presentTaxRate, taxRateExists, taxRateInput, taxRates } from '../../application/taxRate/index.js';
import { idOf } from '../../application/shared/index.js';
import { NotFoundError } from '../../domain/shared/index.js';
import { taxRateStreamName } from '../../domain/taxRate/index.js';
import { foldStream } from '../../eventstore/index.js';
import { STREAMS_PROJECTION, streamsOfCategory } from '../../projections/stream/index.js';
import { createRouter, keysetCursor, page, validate } from '../http/index.js';
import { answerWith, askOf, manages, minPosition, noBody, pointInTimeQuery, readOne, type CommerceRoutesDeps } from '../shared/index.js';

const notFound = () => new NotFoundError('tax_rate.not_found', 'the tax rate does not exist');
const answer = answerWith(taxRateExists, presentTaxRate, notFound);
const params = z.object({ id: idOf('taxRate') });
const PREFIX = 'tax_rate-';
const cursor = keysetCursor((key) => /^txr_[0-9a-f]{32}$/.test(key));

/**
 * Tax rates: ADMIN and MANAGER create and deactivate them (never edit: a
 * new percentage is a new rate); every signed-in role reads them. Few enough
 * to be listed from their streams, by id.
 */
export const taxRateRoutes = (deps: CommerceRoutesDeps) => {
  const router = createRouter('/v1/tax-rates');
  const commands = deps.commerce.taxRates;
  const one = readOne(deps.store, { aggregate: taxRates, isExisting: taxRateExists, present: presentTaxRate, notFound, visibleTo: async () => true });

  router.post('/', manages, validate({ body: taxRateInput }), async (ctx) => {
    answer(ctx, await commands.create(ctx.state.valid.body, askOf(ctx)), true);
  });

  router.get(
    '/',
    minPosition(deps.projections, [STREAMS_PROJECTION], deps.waitMs),
    validate({ query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20), cursor: cursor.schema.optional() }).strict() }),
    async (ctx) => {
      const { limit, cursor: after } = ctx.state.valid.query;
      const names = await streamsOfCategory(deps.db, 'tax_rate', limit, after === undefined ? undefined : taxRateStreamName(after));
      const rows = await Promise.all(names.map(async (name) => ({ name, ...(await foldStream(deps.store, name, taxRates.decider)) })));
      const existing = rows.flatMap((r) => (taxRateExists(r.state) && r.revision !== undefined ? [{ name: r.name, state: r.state, revision: r.revision }] : []));
      ctx.body = page(existing, limit, (last) => cursor.encode(last.name.slice(PREFIX.length)), (r) => presentTaxRate(r.state, r.revision));
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
