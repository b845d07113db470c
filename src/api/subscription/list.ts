import { z } from 'zod';
import { idOf } from '../../application/shared/index.js';
import { presentSubscription } from '../../application/subscription/index.js';
import { SUBSCRIPTION_STATUSES } from '../../domain/subscription/index.js';
import { CUSTOMERS_PROJECTION } from '../../projections/customer/index.js';
import { listSubscriptions, SUBSCRIPTIONS_PROJECTION } from '../../projections/subscription/index.js';
import { page, validate } from '../http/index.js';
import { cursorOf, emptyPage, listLimit, ownerFilter, minPosition, type CommerceRoutesDeps, type Router } from '../shared/index.js';

/** GET /v1/subscriptions: a page of the read model, in id order. */
export const subscriptionList = (router: Router, deps: CommerceRoutesDeps): void => {
  const cursor = cursorOf('subscription');
  router.get(
    '/',
    minPosition(deps.projections, [SUBSCRIPTIONS_PROJECTION, CUSTOMERS_PROJECTION], deps.waitMs),
    validate({
      query: z.object({
        customerId: idOf('customer').optional(),
        contractId: idOf('contract').optional(),
        planId: idOf('plan').optional(),
        status: z.enum(SUBSCRIPTION_STATUSES).optional(),
        ownerUserId: idOf('user').optional(),
        limit: listLimit,
        cursor: cursor.schema.optional(),
      }),
    }),
    async (ctx) => {
      const { cursor: after, ownerUserId, ...q } = ctx.state.valid.query;
      const owner = ownerFilter(ctx, ownerUserId);
      if (owner.nothing) return void (ctx.body = emptyPage);
      const rows = await listSubscriptions(deps.db, { ...q, ...owner, ...(after && { after }) });
      ctx.body = page(rows, q.limit, (last) => cursor.encode(last.subscriptionId), (r) => presentSubscription(r, r.revision));
    },
  );
};
