import type pg from 'pg';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '../core/index.js';
import { retriedAppendResult } from '../core/index.js';
import type { AppendResult, EventToAppend, ExpectedRevision } from '../core/index.js';
import { toPosition } from './rows.js';

/**
 * The common case, an exact expected revision or `no_stream`, is one INSERT
 * with no lock and no function call. The unique (stream_name, revision) index
 * turns a concurrent writer of the same revision into a unique violation, and
 * for `no_stream` that is the whole check: revision 0 exists exactly when the
 * stream does. For revision R, the INSERT also requires R to be visible, so no
 * stream ever gets a gap. Because a writer of revision R+1 must first have seen
 * R committed, its transaction id is higher than R's: readers, who order by
 * transaction id, keep each stream in revision order.
 */
const fastAppendSql = (batch: boolean, exact: boolean): string => {
  const source = batch
    ? `select $1, $2::bigint + u.ord, u.id, u.type, u.data, u.metadata
         from unnest($3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[]) with ordinality as u(id, type, data, metadata, ord)`
    : `select $1, $2::bigint + 1, $3::uuid, $4::text, $5::jsonb, $6::jsonb`;
  const guard = exact ? 'where exists (select 1 from es.events e where e.stream_name = $1 and e.revision = $2::bigint)' : '';
  return `insert into es.events (stream_name, revision, event_id, type, data, metadata)
    ${source} ${guard} ${batch ? 'order by u.ord' : ''}
    returning revision::text, transaction_id::text as tx, global_position::text as pos`;
};

const FAST_APPEND = {
  single: { exact: fastAppendSql(false, true), noStream: fastAppendSql(false, false) },
  batch: { exact: fastAppendSql(true, true), noStream: fastAppendSql(true, false) },
} as const;

/**
 * Everything else (`any`, `stream_exists`, and every conflict of the fast
 * path, which may be a retry) goes through es.append_to_stream: it locks the
 * stream, recognises a retried write, and reports the actual revision.
 */
const CAREFUL_APPEND = `select o_revision::text, o_transaction_id::text, o_position::text, o_stream,
  o_event_id::text, o_outcome
  from es.append_to_stream($1, $2, $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[])`;

type FastRow = { revision: string; tx: string; pos: string };
type CarefulRow = {
  o_revision: string | null;
  o_transaction_id: string | null;
  o_position: string | null;
  o_stream: string;
  o_event_id: string | null;
  o_outcome: 'appended' | 'retry' | 'wrong_expected_revision';
};
type PgError = { code?: string; constraint?: string };

const UNIQUE_VIOLATION = '23505';
const isUniqueViolation = (err: unknown, constraint: string): boolean =>
  (err as PgError).code === UNIQUE_VIOLATION && (err as PgError).constraint === constraint;

const eventColumns = (events: readonly EventToAppend[]) => [
  events.map((e) => e.eventId),
  events.map((e) => e.type),
  events.map((e) => JSON.stringify(e.data)),
  events.map((e) => JSON.stringify(e.metadata)),
];

const fastAppend = async (
  pool: pg.Pool,
  streamName: string,
  events: readonly EventToAppend[],
  expected: bigint | 'no_stream',
): Promise<AppendResult | undefined> => {
  const shape = events.length === 1 ? 'single' : 'batch';
  const guard = expected === 'no_stream' ? 'noStream' : 'exact';
  const [ids, types, data, metadata] = eventColumns(events);
  try {
    const { rows } = await pool.query<FastRow>({
      name: `es_append_${shape}_${guard}`,
      text: FAST_APPEND[shape][guard],
      values: [
        streamName,
        expected === 'no_stream' ? '-1' : expected.toString(),
        ...(shape === 'single' ? [ids![0], types![0], data![0], metadata![0]] : [ids, types, data, metadata]),
      ],
    });
    const last = rows[rows.length - 1];
    return last && { nextExpectedRevision: BigInt(last.revision), position: toPosition(last.tx, last.pos) };
  } catch (err) {
    if (isUniqueViolation(err, 'events_stream_revision_key') || isUniqueViolation(err, 'events_event_id_key')) {
      return undefined;
    }
    throw err;
  }
};

const carefulAppend = async (
  pool: pg.Pool,
  streamName: string,
  events: readonly EventToAppend[],
  expected: ExpectedRevision,
): Promise<AppendResult> => {
  for (let attempt = 0; ; attempt++) {
    let rows: CarefulRow[];
    try {
      ({ rows } = await pool.query<CarefulRow>({
        name: 'es_careful_append',
        text: CAREFUL_APPEND,
        values: [streamName, typeof expected === 'bigint' ? expected.toString() : expected, ...eventColumns(events)],
      }));
    } catch (err) {
      // A lock-free writer took the revision between our read and our insert: read again.
      if (isUniqueViolation(err, 'events_stream_revision_key') && attempt < 5) continue;
      if (isUniqueViolation(err, 'events_event_id_key')) {
        // Some of the batch was written before, by another write: not a retry.
        throw new DuplicateEventIdError(streamName, events[0]!.eventId);
      }
      throw err;
    }
    const first = rows[0];
    if (!first) throw new Error(`append to ${streamName} returned no result`);
    switch (first.o_outcome) {
      case 'wrong_expected_revision':
        throw new WrongExpectedRevisionError(
          streamName,
          expected,
          first.o_revision === null ? 'no_stream' : BigInt(first.o_revision),
        );
      case 'retry':
        return retriedAppendResult(
          streamName,
          events,
          rows.map((r) => ({
            eventId: r.o_event_id!,
            streamName: r.o_stream,
            revision: BigInt(r.o_revision!),
            position: toPosition(r.o_transaction_id!, r.o_position!),
          })),
        )!;
      case 'appended': {
        const last = rows[rows.length - 1]!;
        return {
          nextExpectedRevision: BigInt(last.o_revision!),
          position: toPosition(last.o_transaction_id!, last.o_position!),
        };
      }
    }
  }
};

export const appendEvents = async (
  pool: pg.Pool,
  streamName: string,
  events: readonly EventToAppend[],
  expected: ExpectedRevision,
): Promise<AppendResult> => {
  if (expected === 'no_stream' || typeof expected === 'bigint') {
    const appended = await fastAppend(pool, streamName, events, expected);
    if (appended) return appended;
  }
  return carefulAppend(pool, streamName, events, expected);
};
