import { z } from 'zod';
import { idOf } from '../../application/shared/index.js';
import { CONTRACT_STATUSES } from '../../domain/contract/index.js';
import { safeText } from '../../domain/shared/index.js';
import { SUBSCRIPTION_STATUSES } from '../../domain/subscription/index.js';
import { CONTRACTS_PROJECTION, listContracts } from '../../projections/contract/index.js';
import { CUSTOMERS_PROJECTION, listCustomers } from '../../projections/customer/index.js';
import { listPlans, PLANS_PROJECTION } from '../../projections/plan/index.js';
import { listSubscriptions, SUBSCRIPTIONS_PROJECTION } from '../../projections/subscription/index.js';
import { minPosition } from './commands.js';
import { validate } from '../http/index.js';
import { keysetCursor, page } from '../http/index.js';
import type { createRouter } from '../http/index.js';
import type { CommerceRoutesDeps } from '../shared/resource.js';
import { presentContract, presentCustomer, presentPlan, presentSubscription } from '../../application/shared/index.js';
import type { Ctx } from './resource.js';

type Router = ReturnType<typeof createRouter>;

const limit = z.coerce.number().int().min(1).max(100).default(20);
const cursorOf = (kind: 'customer' | 'plan' | 'contract' | 'subscription') => {
  const pattern = idOf(kind);
  return keysetCursor((key) => pattern.safeParse(key).success);
};

/**
 * A USER lists only what belongs to the customers it owns. An owner filter
 * naming someone else then matches nothing, as it would for an unknown user.
 */
const ownerFilter = (ctx: Ctx, asked: string | undefined): { ownerUserId?: string; nothing: boolean } => {
  const actor = ctx.state.actor!;
  if (actor.role !== 'USER') return asked ? { ownerUserId: asked, nothing: false } : { nothing: false };
  return { ownerUserId: actor.id, nothing: asked !== undefined && asked !== actor.id };
};

const empty = { data: [], page: { hasMore: false, nextCursor: null } };

/**
 * The list routes read the read models; `X-Min-Position` waits for every
 * read model a list reads (the customers' too, for ownership).
 */
export const listRoutes = {
  customers: (router: Router, deps: CommerceRoutesDeps) => {
    const cursor = cursorOf('customer');
    router.get(
      '/',
      minPosition(deps.projections, [CUSTOMERS_PROJECTION], deps.waitMs),
      validate({ query: z.object({ ownerUserId: idOf('user').optional(), limit, cursor: cursor.schema.optional() }) }),
      async (ctx) => {
        const q = ctx.state.valid.query;
        const owner = ownerFilter(ctx, q.ownerUserId);
        if (owner.nothing) return void (ctx.body = empty);
        const rows = await listCustomers(deps.db, { limit: q.limit, ...owner, ...(q.cursor && { after: q.cursor }) });
        ctx.body = page(rows, q.limit, (last) => cursor.encode(last.customerId), (r) => presentCustomer(r, r.revision));
      },
    );
  },

  plans: (router: Router, deps: CommerceRoutesDeps) => {
    const cursor = cursorOf('plan');
    router.get(
      '/',
      minPosition(deps.projections, [PLANS_PROJECTION], deps.waitMs),
      validate({
        query: z.object({
          status: z.enum(['active', 'archived']).optional(),
          currency: safeText.regex(/^[a-z]{3}$/, 'an ISO 4217 code in lower case').optional(),
          limit,
          cursor: cursor.schema.optional(),
        }),
      }),
      async (ctx) => {
        const { cursor: after, ...q } = ctx.state.valid.query;
        const rows = await listPlans(deps.db, { ...q, ...(after && { after }) });
        ctx.body = page(rows, q.limit, (last) => cursor.encode(last.planId), (r) => presentPlan(r, r.revision));
      },
    );
  },

  contracts: (router: Router, deps: CommerceRoutesDeps) => {
    const cursor = cursorOf('contract');
    router.get(
      '/',
      minPosition(deps.projections, [CONTRACTS_PROJECTION, CUSTOMERS_PROJECTION], deps.waitMs),
      validate({
        query: z.object({
          customerId: idOf('customer').optional(),
          status: z.enum(CONTRACT_STATUSES).optional(),
          ownerUserId: idOf('user').optional(),
          limit,
          cursor: cursor.schema.optional(),
        }),
      }),
      async (ctx) => {
        const { cursor: after, ownerUserId, ...q } = ctx.state.valid.query;
        const owner = ownerFilter(ctx, ownerUserId);
        if (owner.nothing) return void (ctx.body = empty);
        const rows = await listContracts(deps.db, { ...q, ...owner, ...(after && { after }) });
        ctx.body = page(rows, q.limit, (last) => cursor.encode(last.contractId), (r) => presentContract(r, r.revision));
      },
    );
  },

  subscriptions: (router: Router, deps: CommerceRoutesDeps) => {
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
          limit,
          cursor: cursor.schema.optional(),
        }),
      }),
      async (ctx) => {
        const { cursor: after, ownerUserId, ...q } = ctx.state.valid.query;
        const owner = ownerFilter(ctx, ownerUserId);
        if (owner.nothing) return void (ctx.body = empty);
        const rows = await listSubscriptions(deps.db, { ...q, ...owner, ...(after && { after }) });
        ctx.body = page(rows, q.limit, (last) => cursor.encode(last.subscriptionId), (r) => presentSubscription(r, r.revision));
      },
    );
  },
};
