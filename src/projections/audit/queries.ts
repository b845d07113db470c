import type { Db } from '../../db/index.js';

export type AuditEntry = Readonly<{
  id: string;
  eventId: string;
  position: string;
  streamName: string;
  type: string;
  actor: Readonly<{ id: string; role: string | null }>;
  source: string;
  correlationId: string;
  occurredAt: string;
  recordedAt: string;
  changes: unknown;
}>;

export type AuditFilter = Readonly<{
  actorId?: string;
  streamName?: string;
  type?: string;
  from?: Date;
  to?: Date;
  /** Keyset: entries after this id. */
  after?: string;
  limit: number;
}>;

/** Newest last, in log order; one entry more than asked tells whether there are more. */
export const listAudit = async (db: Db, filter: AuditFilter): Promise<AuditEntry[]> => {
  let query = db.selectFrom('read.audit_log').selectAll().orderBy('id').limit(filter.limit + 1);
  if (filter.actorId) query = query.where('actor_id', '=', filter.actorId);
  if (filter.streamName) query = query.where('stream_name', '=', filter.streamName);
  if (filter.type) query = query.where('event_type', '=', filter.type);
  if (filter.from) query = query.where('occurred_at', '>=', filter.from);
  if (filter.to) query = query.where('occurred_at', '<', filter.to);
  if (filter.after) query = query.where('id', '>', filter.after);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    eventId: r.event_id,
    position: `${r.position_commit}/${r.position_prepare}`,
    streamName: r.stream_name,
    type: r.event_type,
    actor: { id: r.actor_id, role: r.actor_role },
    source: r.source,
    correlationId: r.correlation_id,
    occurredAt: r.occurred_at.toISOString(),
    recordedAt: r.recorded_at.toISOString(),
    changes: r.changes,
  }));
};
