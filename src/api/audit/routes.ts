import type { Kysely } from 'kysely';
import { z } from 'zod';
import { safeText } from '../../domain/shared/index.js';
import { AUDIT_PROJECTION, listAudit } from '../../projections/audit/index.js';
import type { Database } from '../../db/index.js';
import type { ProjectionRunner } from '../../projections/runtime/index.js';
import { minPosition } from '../shared/index.js';
import { requireRole } from '../http/index.js';
import { validate } from '../http/index.js';
import { int8Cursor, page } from '../http/index.js';
import { createRouter } from '../http/index.js';

export type AuditRoutesDeps = Readonly<{
  db: Kysely<Database>;
  projections: ProjectionRunner;
  waitMs: number;
}>;

/** Instants, compared as instants: `10:00+05:00` is before `06:00Z`. */
const instant = z.iso.datetime({ offset: true }).transform((text) => new Date(text));

export const auditRoutes = (deps: AuditRoutesDeps) => {
  const router = createRouter('/v1/audit');
  router.get(
    '/',
    requireRole('MANAGER', 'AUDITOR'),
    minPosition(deps.projections, [AUDIT_PROJECTION], deps.waitMs),
    validate({
      query: z
        .object({
          actor: safeText.max(200).optional(),
          stream: safeText.max(500).optional(),
          type: safeText.max(200).optional(),
          from: instant.optional(),
          to: instant.optional(),
          limit: z.coerce.number().int().min(1).max(100).default(50),
          cursor: int8Cursor.optional(),
        })
        // zod runs this even when a field failed, with that field's raw text: compare only two instants.
        .refine((q) => !(q.from instanceof Date && q.to instanceof Date) || q.from.getTime() < q.to.getTime(), {
          message: 'from must be before to',
          path: ['from'],
        }),
    }),
    async (ctx) => {
      const q = ctx.state.valid.query;
      const rows = await listAudit(deps.db, {
        limit: q.limit,
        ...(q.actor && { actorId: q.actor }),
        ...(q.stream && { streamName: q.stream }),
        ...(q.type && { type: q.type }),
        ...(q.from && { from: q.from }),
        ...(q.to && { to: q.to }),
        ...(q.cursor && { after: q.cursor }),
      });
      ctx.body = page(rows, q.limit, (last) => last.id);
    },
  );
  return router;
};
