import type { Projection } from '../runtime/index.js';
import { changesOf } from './changes.js';

export const AUDIT_PROJECTION = 'audit_log';

/**
 * One row per event, append-only (a trigger refuses UPDATE, DELETE and
 * TRUNCATE). A replay inserts nothing twice, so a rebuild leaves the log as it
 * is and only fills in what is missing.
 */
export const auditProjection: Projection = {
  name: AUDIT_PROJECTION,
  apply: async (trx, events) => {
    if (events.length === 0) return;
    await trx
      .insertInto('read.audit_log')
      .values(
        events.map((e) => ({
          event_id: e.eventId,
          position_commit: e.position.commit.toString(),
          position_prepare: e.position.prepare.toString(),
          stream_name: e.streamName,
          event_type: e.type,
          actor_id: e.metadata.actor.id,
          actor_role: e.metadata.actor.role ?? null,
          source: e.metadata.source,
          correlation_id: e.metadata.correlationId,
          occurred_at: e.metadata.occurredAt,
          recorded_at: e.recordedAt,
          changes: JSON.stringify(changesOf(e)),
        })),
      )
      .onConflict((oc) => oc.column('event_id').doNothing())
      .execute();
  },
  reset: async () => {},
};
