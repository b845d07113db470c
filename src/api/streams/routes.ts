import Router from '@koa/router';
import type { Middleware } from 'koa';
import { z } from 'zod';
import { formatPosition, type EventStore } from '../../eventstore/index.js';
import { requireRole } from '../middleware/authenticate.js';
import { validate } from '../middleware/validate.js';
import { page } from '../pagination.js';
import type { ApiState } from '../types.js';

export type StreamRoutesDeps = Readonly<{ store: EventStore; authenticated: Middleware<ApiState> }>;

/** Raw events of one stream with their metadata, for auditors replaying history. */
export const streamRoutes = (deps: StreamRoutesDeps): Router<ApiState> => {
  const router = new Router<ApiState>({ prefix: '/v1/streams' });
  router.get(
    '/:streamName',
    deps.authenticated,
    requireRole('MANAGER', 'AUDITOR'),
    validate({
      params: z.object({ streamName: z.string().min(1).max(500).regex(/^[^$]/, 'system streams are not served') }),
      query: z.object({
        fromRevision: z.coerce.number().int().min(0).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
    }),
    async (ctx) => {
      const { streamName } = ctx.state.valid.params;
      const { fromRevision = 0, limit } = ctx.state.valid.query;
      const events = await deps.store.readStream(streamName, { fromRevision: BigInt(fromRevision), maxCount: limit + 1 });
      ctx.body = page(
        events,
        limit,
        (last) => (last.revision + 1n).toString(),
        (e) => ({
          eventId: e.eventId,
          streamName: e.streamName,
          revision: e.revision.toString(),
          position: formatPosition(e.position),
          type: e.type,
          data: e.data,
          metadata: e.metadata,
          recordedAt: e.recordedAt.toISOString(),
        }),
      );
    },
  );
  return router;
};
