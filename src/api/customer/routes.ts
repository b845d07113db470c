import { creditInput, customerInput, customerPatch, paymentMethodInput } from '../../application/customer/index.js';
import { presentCustomer } from '../../application/customer/index.js';
import { z } from 'zod';
import { taxRateChoice } from '../../application/taxRate/index.js';
import { couponChoice } from '../../application/coupon/index.js';
import { idOf } from '../../application/shared/index.js';
import { customers } from '../../application/customer/index.js';
import { NotFoundError } from '../../domain/shared/index.js';
import type { Middleware } from 'koa';
import { requireRole, validate, type ApiState } from '../http/index.js';
import { createRouter } from '../http/index.js';
import { customerList } from './list.js';
import { customerExists } from '../../application/customer/index.js';
import { answerWith, askOf, manages, pointInTimeQuery, readOne, seesCustomer, type CommerceRoutesDeps, type Ctx } from '../shared/index.js';

const notFound = () => new NotFoundError('customer.not_found', 'the customer does not exist');
const answer = answerWith(customerExists, presentCustomer, notFound);
const params = z.object({ id: idOf('customer') });

export const customerRoutes = (deps: CommerceRoutesDeps) => {
  const router = createRouter('/v1/customers');
  customerList(router, deps);
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

  // The owning USER keeps its own card on file; a foreign customer is "not found", as on every read.
  const ownCustomer: Middleware<ApiState> = async (ctx, next) => {
    const c = ctx as Ctx;
    if (c.state.actor?.role === 'USER' && !(await sees(c, (c.state.valid!.params as { id: string }).id))) throw notFound();
    await next();
  };
  router.post('/:id/payment-method', requireRole('ADMIN', 'MANAGER', 'USER'), validate({ params, body: paymentMethodInput }), ownCustomer, async (ctx) => {
    answer(ctx, await commands.attachPaymentMethod(ctx.state.valid.params.id, ctx.state.valid.body, askOf(ctx)));
  });

  router.post('/:id/credits', manages, validate({ params, body: creditInput }), async (ctx) => {
    answer(ctx, await commands.grantCredit(ctx.state.valid.params.id, ctx.state.valid.body, askOf(ctx)));
  });

  router.post('/:id/discount', manages, validate({ params, body: couponChoice }), async (ctx) => {
    answer(ctx, await commands.applyCoupon(ctx.state.valid.params.id, ctx.state.valid.body, askOf(ctx)));
  });

  router.delete('/:id/discount', manages, validate({ params }), async (ctx) => {
    answer(ctx, await commands.removeDiscount(ctx.state.valid.params.id, askOf(ctx)));
  });

  router.post('/:id/tax-rate', manages, validate({ params, body: taxRateChoice }), async (ctx) => {
    answer(ctx, await commands.setTaxRate(ctx.state.valid.params.id, ctx.state.valid.body, askOf(ctx)));
  });

  return router;
};
