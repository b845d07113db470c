import type pg from 'pg';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '../core/index.js';
import type { BatchWrites, RecordedEvent, StoreTransaction, StreamAppend } from '../core/index.js';
import { EVENT_COLUMNS, toRecordedEvent, type EventRow } from './rows.js';

const READ_STREAMS = `select ${EVENT_COLUMNS} from es.events e
  where e.stream_name = any($1::text[])
  order by e.stream_name, e.revision`;

/**
 * The streams whose expected revision is not their head. `no_stream` is -1:
 * such a stream must have no revision 0. An exact R must exist (no gaps);
 * R + 1 existing already is caught by the unique index on insert.
 */
const MISPLACED = `select s.name, (select max(e.revision) from es.events e where e.stream_name = s.name)::text as actual
  from unnest($1::text[], $2::bigint[]) as s(name, expected)
  where case when s.expected < 0
    then exists (select 1 from es.events e where e.stream_name = s.name)
    else not exists (select 1 from es.events e where e.stream_name = s.name and e.revision = s.expected) end`;

const INSERT = `insert into es.events (stream_name, revision, event_id, type, data, metadata)
  select u.stream_name, u.revision, u.event_id, u.type, u.data, u.metadata
    from unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[])
      with ordinality as u(stream_name, revision, event_id, type, data, metadata, ord)
    order by u.ord`;

const UNIQUE_VIOLATION = '23505';
type PgError = { code?: string; constraint?: string; detail?: string };

/** `Key (stream_name, revision)=(invoice-inv_1, 0) already exists.` names the stream that moved on. */
const streamOf = (err: PgError, appends: readonly StreamAppend[]): StreamAppend =>
  appends.find((a) => err.detail?.includes(`(${a.streamName},`)) ?? appends[0]!;

const expectedOf = (a: StreamAppend): string => (a.expectedRevision === 'no_stream' ? '-1' : a.expectedRevision.toString());

const appendAll = async (client: pg.PoolClient, appends: readonly StreamAppend[]): Promise<void> => {
  if (appends.length === 0) return;
  const names = appends.map((a) => a.streamName);
  if (new Set(names).size !== names.length) throw new Error('one append per stream in a batch');
  const { rows: misplaced } = await client.query<{ name: string; actual: string | null }>(MISPLACED, [names, appends.map(expectedOf)]);
  if (misplaced.length > 0) {
    const a = appends.find((x) => x.streamName === misplaced[0]!.name)!;
    throw new WrongExpectedRevisionError(a.streamName, a.expectedRevision, misplaced[0]!.actual === null ? 'no_stream' : BigInt(misplaced[0]!.actual));
  }
  const rows = appends.flatMap((a) => a.events.map((e, i) => ({ a, e, revision: BigInt(expectedOf(a)) + 1n + BigInt(i) })));
  try {
    await client.query(INSERT, [
      rows.map((r) => r.a.streamName),
      rows.map((r) => r.revision.toString()),
      rows.map((r) => r.e.eventId),
      rows.map((r) => r.e.type),
      rows.map((r) => JSON.stringify(r.e.data)),
      rows.map((r) => JSON.stringify(r.e.metadata)),
    ]);
  } catch (err) {
    // A writer that committed since the check above, or is committing now.
    const e = err as PgError;
    if (e.code !== UNIQUE_VIOLATION) throw err;
    if (e.constraint === 'events_event_id_key') {
      const id = /\(event_id\)=\(([^)]+)\)/.exec(e.detail ?? '')?.[1];
      const a = appends.find((x) => x.events.some((ev) => ev.eventId === id)) ?? appends[0]!;
      throw new DuplicateEventIdError(a.streamName, id ?? a.events[0]!.eventId);
    }
    const a = streamOf(e, appends);
    throw new WrongExpectedRevisionError(a.streamName, a.expectedRevision, a.expectedRevision === 'no_stream' ? 0n : a.expectedRevision + 1n);
  }
};

/**
 * The PostgreSQL adapter's bulk reads and writes. Appends in one transaction
 * keep the store's ordering: every event of it shares one transaction id, so
 * readers see all of it at once, in the order given, and a stream's next
 * writer (who must see these revisions first) commits after it.
 */
export const postgresBatch = (pool: pg.Pool, appended: () => void): BatchWrites => ({
  async readStreams(streamNames) {
    const streams = new Map<string, RecordedEvent[]>(streamNames.map((n) => [n, []]));
    if (streamNames.length === 0) return streams;
    const { rows } = await pool.query<EventRow>({ name: 'es_read_streams', text: READ_STREAMS, values: [[...new Set(streamNames)]] });
    for (const row of rows) streams.get(row.stream_name)!.push(toRecordedEvent(row));
    return streams;
  },

  async transaction(work) {
    const client = await pool.connect();
    let wrote = false;
    let broken: Error | undefined;
    try {
      await client.query('begin');
      const tx: StoreTransaction = {
        query: async (text, values) => client.query(text, [...values]),
        append: async (appends) => {
          await appendAll(client, appends);
          wrote ||= appends.length > 0;
        },
      };
      const result = await work(tx);
      await client.query('commit');
      if (wrote) appended();
      return result;
    } catch (err) {
      // A connection that cannot even roll back is not handed to the next caller.
      await client.query('rollback').catch((e: Error) => void (broken = e));
      throw err;
    } finally {
      client.release(broken);
    }
  },
});
