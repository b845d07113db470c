import { z } from 'zod';
import { presentPlan } from '../../application/plan/index.js';
import { safeText } from '../../domain/shared/index.js';
import { listPlans, PLANS_PROJECTION } from '../../projections/plan/index.js';
import { page, validate } from '../http/index.js';
import { cursorOf, listLimit, minPosition, type CommerceRoutesDeps, type Router } from '../shared/index.js';

/** GET /v1/plans: a page of the read model, in id order. */
export const planList = (router: Router, deps: CommerceRoutesDeps): void => {
  const cursor = cursorOf('plan');
  router.get(
    '/',
    minPosition(deps.projections, [PLANS_PROJECTION], deps.waitMs),
    validate({
      query: z.object({
        status: z.enum(['active', 'archived']).optional(),
        currency: safeText.regex(/^[a-z]{3}$/, 'an ISO 4217 code in lower case').optional(),
        limit: listLimit,
        cursor: cursor.schema.optional(),
      }),
    }),
    async (ctx) => {
      const { cursor: after, ...q } = ctx.state.valid.query;
      const rows = await listPlans(deps.db, { ...q, ...(after && { after }) });
      ctx.body = page(rows, q.limit, (last) => cursor.encode(last.planId), (r) => presentPlan(r, r.revision));
    },
  );
};
