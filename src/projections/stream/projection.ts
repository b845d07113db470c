import { sql } from 'kysely';
import type { RecordedEvent } from '../../eventstore/index.js';
import type { Projection } from '../runtime/index.js';

export const STREAMS_PROJECTION = 'streams';

/** `subscription-sub_01…` → `subscription`; a name without a dash is its own category. */
export const categoryOf = (streamName: string): string => {
  const dash = streamName.indexOf('-');
  return dash < 0 ? streamName : streamName.slice(0, dash);
};

type Summary = { first: RecordedEvent; last: RecordedEvent };

/**
 * Idempotent by construction: counts derive from revisions (0-based and
 * consecutive), and the row only moves forward, so replaying a batch changes nothing.
 */
export const streamsProjection: Projection = {
  name: STREAMS_PROJECTION,
  apply: async (trx, events) => {
    const byStream = new Map<string, Summary>();
    for (const event of events) {
      const seen = byStream.get(event.streamName);
      if (!seen) byStream.set(event.streamName, { first: event, last: event });
      else if (event.revision > seen.last.revision) seen.last = event;
    }
    const rows = [...byStream.values()].map(({ first, last }) => ({
      stream_name: last.streamName,
      category: categoryOf(last.streamName),
      last_revision: last.revision.toString(),
      event_count: (last.revision + 1n).toString(),
      last_event_type: last.type,
      first_recorded_at: first.recordedAt,
      last_recorded_at: last.recordedAt,
    }));
    if (rows.length === 0) return;
    await trx
      .insertInto('read.streams')
      .values(rows)
      .onConflict((oc) =>
        oc.column('stream_name').doUpdateSet({
          last_revision: sql`excluded.last_revision`,
          event_count: sql`excluded.event_count`,
          last_event_type: sql`excluded.last_event_type`,
          last_recorded_at: sql`excluded.last_recorded_at`,
        }).where(sql<boolean>`excluded.last_revision > read.streams.last_revision`),
      )
      .execute();
  },
  reset: async (trx) => {
    await trx.deleteFrom('read.streams').execute();
  },
};
