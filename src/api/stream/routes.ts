import { z } from 'zod';
import { safeText } from '../../domain/shared/index.js';
import { formatPosition, type EventStore } from '../../eventstore/index.js';
import { requireRole } from '../http/index.js';
import { validate } from '../http/index.js';
import { page } from '../http/index.js';
import { createRouter } from '../http/index.js';

export type StreamRoutesDeps = Readonly<{ store: EventStore }>;

/** Raw events of one stream with their metadata, for auditors replaying history. */
export const streamRoutes = (deps: StreamRoutesDeps) => {
  const router = createRouter('/v1/streams');
  router.get(
    '/:streamName',
    requireRole('MANAGER', 'AUDITOR'),
    validate({
      params: z.object({ streamName: safeText.min(1).max(500).regex(/^[^$]/, 'system streams are not served') }),
      query: z.object({
        fromRevision: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
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
