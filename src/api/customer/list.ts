import { z } from 'zod';
import { presentCustomer } from '../../application/customer/index.js';
import { idOf } from '../../application/shared/index.js';
import { CUSTOMERS_PROJECTION, listCustomers } from '../../projections/customer/index.js';
import { page, validate } from '../http/index.js';
import { cursorOf, emptyPage, listLimit, ownerFilter, minPosition, type CommerceRoutesDeps, type Router } from '../shared/index.js';

/** GET /v1/customers: a page of the read model, in id order. */
export const customerList = (router: Router, deps: CommerceRoutesDeps): void => {
  const cursor = cursorOf('customer');
  router.get(
    '/',
    minPosition(deps.projections, [CUSTOMERS_PROJECTION], deps.waitMs),
    validate({ query: z.object({ ownerUserId: idOf('user').optional(), limit: listLimit, cursor: cursor.schema.optional() }) }),
    async (ctx) => {
      const q = ctx.state.valid.query;
      const owner = ownerFilter(ctx, q.ownerUserId);
      if (owner.nothing) return void (ctx.body = emptyPage);
      const rows = await listCustomers(deps.db, { limit: q.limit, ...owner, ...(q.cursor && { after: q.cursor }) });
      ctx.body = page(rows, q.limit, (last) => cursor.encode(last.customerId), (r) => presentCustomer(r, r.revision));
    },
  );
};
