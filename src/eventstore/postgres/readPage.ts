import type pg from 'pg';
import type { AllFilter, Position, RecordedEvent } from '../core/index.js';
import { EVENT_COLUMNS, prefixPatterns, toPosition, toRecordedEvent, type EventRow } from './rows.js';

/**
 * One statement, so one snapshot: the page, the head below the visibility
 * horizon, and whether committed events wait above that horizon (held back by an
 * older transaction still running). Because all three come from the same
 * snapshot, a reader that reached the end of the page may move its position to
 * the head without skipping anything.
 */
const READ_PAGE = `
with h as (select pg_snapshot_xmin(pg_current_snapshot()) as horizon),
page as (
  select ${EVENT_COLUMNS}
    from es.events e
   where (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint)
     and e.transaction_id < (select horizon from h)
     and ($4::text[] is null or e.stream_name like any($4::text[]))
     and ($5::text[] is null or e.type = any($5::text[]))
   order by e.transaction_id, e.global_position
   limit $3),
head as (
  select e.transaction_id, e.global_position
    from es.events e
   where e.transaction_id < (select horizon from h)
   order by e.transaction_id desc, e.global_position desc
   limit 1)
select p.*, false as meta, null::text as head_tx, null::text as head_pos, null::boolean as held
  from page p
union all
select null, null, null, null, null, null, null, null, null, true,
       hd.transaction_id::text, hd.global_position::text,
       exists (select 1 from es.events x where x.transaction_id >= (select horizon from h))
  from (select 1) one left join head hd on true`;

type PageRow = EventRow & { meta: boolean; head_tx: string | null; head_pos: string | null; held: boolean | null };

export type Page = Readonly<{
  events: RecordedEvent[];
  /** Last event visible to readers in this snapshot, filtered or not. */
  head: Position | undefined;
  /** Committed events exist that an older, still running transaction holds back. */
  heldBack: boolean;
}>;

const ORIGIN = ['0', '0'] as const;

export const readPage = async (
  pool: pg.Pool,
  after: Position | undefined,
  maxCount: number,
  filter: AllFilter | undefined,
): Promise<Page> => {
  const { rows } = await pool.query<PageRow>({
    name: 'es_read_page',
    text: READ_PAGE,
    values: [
      after ? after.commit.toString() : ORIGIN[0],
      after ? after.prepare.toString() : ORIGIN[1],
      maxCount,
      prefixPatterns(filter?.streamPrefixes),
      filter?.eventTypes ? [...filter.eventTypes] : null,
    ],
  });
  const events: RecordedEvent[] = [];
  let head: Position | undefined;
  let heldBack = false;
  for (const row of rows) {
    if (row.meta) {
      head = row.head_tx && row.head_pos ? toPosition(row.head_tx, row.head_pos) : undefined;
      heldBack = row.held === true;
    } else {
      events.push(toRecordedEvent(row));
    }
  }
  return { events, head, heldBack };
};
