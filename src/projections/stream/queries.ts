import type { Db } from '../../db/index.js';

export type StreamSummary = Readonly<{
  streamName: string;
  category: string;
  lastRevision: bigint;
  eventCount: bigint;
  lastEventType: string;
  firstRecordedAt: Date;
  lastRecordedAt: Date;
}>;

export const getStreamSummary = async (db: Db, streamName: string): Promise<StreamSummary | undefined> => {
  const row = await db.selectFrom('read.streams').selectAll().where('stream_name', '=', streamName).executeTakeFirst();
  return (
    row && {
      streamName: row.stream_name,
      category: row.category,
      lastRevision: BigInt(row.last_revision),
      eventCount: BigInt(row.event_count),
      lastEventType: row.last_event_type,
      firstRecordedAt: row.first_recorded_at,
      lastRecordedAt: row.last_recorded_at,
    }
  );
};

export const countStreamsByCategory = async (db: Db): Promise<Record<string, number>> => {
  const rows = await db
    .selectFrom('read.streams')
    .select(['category', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy('category')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.category, Number(r.n)]));
};

/** The names of a category's streams, by name, `limit + 1` of them after `after`: for the kinds of stream few enough to fold one by one (tax rates, coupons). */
export const streamsOfCategory = async (db: Db, category: string, limit: number, after?: string): Promise<string[]> => {
  let query = db.selectFrom('read.streams').select('stream_name').where('category', '=', category);
  if (after !== undefined) query = query.where('stream_name', '>', after);
  return (await query.orderBy('stream_name').limit(limit + 1).execute()).map((r) => r.stream_name);
};
