import { z } from 'zod';
import { presentContract } from '../../application/contract/index.js';
import { idOf } from '../../application/shared/index.js';
import { CONTRACT_STATUSES } from '../../domain/contract/index.js';
import { CONTRACTS_PROJECTION, listContracts } from '../../projections/contract/index.js';
import { CUSTOMERS_PROJECTION } from '../../projections/customer/index.js';
import { page, validate } from '../http/index.js';
import { cursorOf, emptyPage, listLimit, ownerFilter, minPosition, type CommerceRoutesDeps, type Router } from '../shared/index.js';

/** GET /v1/contracts: a page of the read model, in id order. */
export const contractList = (router: Router, deps: CommerceRoutesDeps): void => {
  const cursor = cursorOf('contract');
  router.get(
    '/',
    minPosition(deps.projections, [CONTRACTS_PROJECTION, CUSTOMERS_PROJECTION], deps.waitMs),
    validate({
      query: z.object({
        customerId: idOf('customer').optional(),
        status: z.enum(CONTRACT_STATUSES).optional(),
        ownerUserId: idOf('user').optional(),
        limit: listLimit,
        cursor: cursor.schema.optional(),
      }),
    }),
    async (ctx) => {
      const { cursor: after, ownerUserId, ...q } = ctx.state.valid.query;
      const owner = ownerFilter(ctx, ownerUserId);
      if (owner.nothing) return void (ctx.body = emptyPage);
      const rows = await listContracts(deps.db, { ...q, ...owner, ...(after && { after }) });
      ctx.body = page(rows, q.limit, (last) => cursor.encode(last.contractId), (r) => presentContract(r, r.revision));
    },
  );
};
