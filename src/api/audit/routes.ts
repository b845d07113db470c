import Router from '@koa/router';
import type { Kysely } from 'kysely';
import type { Middleware } from 'koa';
import { z } from 'zod';
import { AUDIT_PROJECTION, listAudit } from '../../projections/audit/index.js';
import type { Database, ProjectionRunner } from '../../projections/index.js';
import { minPosition } from '../commands.js';
import { requireRole } from '../middleware/authenticate.js';
import { validate } from '../middleware/validate.js';
import { page } from '../pagination.js';
import type { ApiState } from '../types.js';

export type AuditRoutesDeps = Readonly<{
  db: Kysely<Database>;
  projections: ProjectionRunner;
  authenticated: Middleware<ApiState>;
  waitMs: number;
}>;

export const auditRoutes = (deps: AuditRoutesDeps): Router<ApiState> => {
  const router = new Router<ApiState>({ prefix: '/v1/audit' });
  router.get(
    '/',
    deps.authenticated,
    requireRole('MANAGER', 'AUDITOR'),
    minPosition(deps.projections, [AUDIT_PROJECTION], deps.waitMs),
    validate({
      query: z
        .object({
          actor: z.string().max(200).optional(),
          stream: z.string().max(500).optional(),
          type: z.string().max(200).optional(),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(50),
          cursor: z.string().regex(/^\d{1,19}$/, 'not a cursor').optional(),
        })
        .refine((q) => !q.from || !q.to || q.from < q.to, { message: 'from must be before to', path: ['from'] }),
    }),
    async (ctx) => {
      const q = ctx.state.valid.query;
      const rows = await listAudit(deps.db, {
        limit: q.limit,
        ...(q.actor && { actorId: q.actor }),
        ...(q.stream && { streamName: q.stream }),
        ...(q.type && { type: q.type }),
        ...(q.from && { from: new Date(q.from) }),
        ...(q.to && { to: new Date(q.to) }),
        ...(q.cursor && { after: q.cursor }),
      });
      ctx.body = page(rows, q.limit, (last) => last.id);
    },
  );
  return router;
};
