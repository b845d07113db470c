import type { Kysely } from 'kysely';
import { z } from 'zod';
import { creditInput, customerInput, customerPatch, customers, idOf, ownsCustomer, paymentMethodInput, type Commerce } from '../../application/shared/commerce.js';
import type { Database } from '../../root/database.js';
import type { ContractCascades } from '../../application/contract/index.js';
import { NotFoundError } from '../../domain/shared/index.js';
import type { EventStore } from '../../eventstore/index.js';
import type { ProjectionRunner } from '../../projections/runtime/index.js';
import { validate } from '../http/validate.js';
import { createRouter } from '../http/routing.js';
import { listRoutes } from '../shared/lists.js';
import { customerExists, presentCustomer } from '../../application/shared/commerce.js';
import { answerWith, askOf, manages, pointInTimeQuery, readOne, type Ctx } from '../shared/resource.js';

export type CommerceRoutesDeps = Readonly<{
  db: Kysely<Database>;
  store: EventStore;
  commerce: Commerce;
  projections: ProjectionRunner;
  cascades: Pick<ContractCascades, 'waitFor'>;
  waitMs: number;
}>;

const notFound = () => new NotFoundError('customer.not_found', 'the customer does not exist');
const answer = answerWith(customerExists, presentCustomer, notFound);
const params = z.object({ id: idOf('customer') });

/** A USER sees the customers it owns; everyone else who may read sees all. */
export const seesCustomer = (commerce: Commerce) => async (ctx: Ctx, customerId: string) => {
  const principal = ctx.state.principal!;
  return principal.role !== 'USER' || ownsCustomer(commerce, principal.userId, customerId);
};

export const customerRoutes = (deps: CommerceRoutesDeps) => {
  const router = createRouter('/v1/customers');
  listRoutes.customers(router, deps);
  const sees = seesCustomer(deps.commerce);
  const one = readOne(deps.store, { aggregate: customers, isExisting: customerExists, present: presentCustomer, notFound, visibleTo: (ctx, s) => sees(ctx, s.customerId) });
  const commands = deps.commerce.customers;

  router.post('/', manages, validate({ body: customerInput }), async (ctx) => {
    answer(ctx, await commands.register(ctx.state.valid.body, askOf(ctx)), true);
  });

  router.get('/:id', validate({ params, query: pointInTimeQuery }), async (ctx) => {
    await one(ctx, ctx.state.valid.params.id, ctx.state.valid.query);
  });

  router.patch('/:id', manages, validate({ params, body: customerPatch }), async (ctx) => {
    answer(ctx, await commands.update(ctx.state.valid.params.id, ctx.state.valid.body, askOf(ctx)));
  });

  router.post('/:id/payment-method', manages, validate({ params, body: paymentMethodInput }), async (ctx) => {
    answer(ctx, await commands.attachPaymentMethod(ctx.state.valid.params.id, ctx.state.valid.body, askOf(ctx)));
  });

  router.post('/:id/credits', manages, validate({ params, body: creditInput }), async (ctx) => {
    answer(ctx, await commands.grantCredit(ctx.state.valid.params.id, ctx.state.valid.body, askOf(ctx)));
  });

  return router;
};
