/**
 * `Streams.Read` without subscription options: a bounded read of one stream or of `$all`.
 *
 * Bounds, as the server's read index defines them:
 * - stream forwards from revision r: revisions >= r; backwards from r: revisions <= r (r beyond the
 *   end reads from the last event); END forwards reads nothing, START backwards reads revision 0.
 * - `$all` forwards from position P: events at or after P (inclusive: positions are pre-positions);
 *   backwards from P: events before P (exclusive: positions are post-positions there).
 */
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb.js';
import { eventFilter, eventResp, positionOf, serviceError, streamNameOf, streamNotFoundResp } from './messages.js';
import { grpc, type ReadCall } from './proto.js';
import { comparePositions, type EventLog, type StoredEvent } from './store.js';

type Options = StreamsPb.ReadReq.Options;
const BACKWARDS = 1;

export const readStream = (call: ReadCall, options: Options, log: EventLog): void => {
  const streamOptions = options.getStream();
  const name = streamNameOf(streamOptions?.getStreamIdentifier());
  const events = log.stream(name);
  if (!events) {
    call.write(streamNotFoundResp(name));
    call.end();
    return;
  }
  const last = events.length - 1;
  const backwards = options.getReadDirection() === BACKWARDS;
  const from = streamOptions?.hasRevision()
    ? Number(streamOptions.getRevision())
    : streamOptions?.hasEnd()
      ? (backwards ? last : events.length)
      : 0;
  const selected = backwards ? events.slice(0, Math.min(from, last) + 1).reverse() : events.slice(from);
  send(call, options, selected);
};

export const readAll = (call: ReadCall, options: Options, log: EventLog): void => {
  const all = options.getAll();
  const backwards = options.getReadDirection() === BACKWARDS;
  let selected: StoredEvent[];
  if (all?.hasPosition()) {
    const from = positionOf(all.getPosition()!);
    selected = backwards
      ? log.all.filter((e) => comparePositions(e.position, from) < 0).reverse()
      : log.all.filter((e) => comparePositions(e.position, from) >= 0);
  } else if (all?.hasEnd()) {
    selected = backwards ? [...log.all].reverse() : [];
  } else {
    selected = backwards ? [] : [...log.all];
  }
  if (options.hasFilter()) {
    const filter = eventFilter(options.getFilter()!);
    if (!filter) {
      call.emit('error', serviceError(grpc.status.INVALID_ARGUMENT, 'Invalid filter options'));
      return;
    }
    selected = selected.filter(filter.accepts);
  }
  send(call, options, selected);
};

const send = (call: ReadCall, options: Options, events: readonly StoredEvent[]): void => {
  const count = options.hasCount() ? BigInt(options.getCount()) : BigInt(Number.MAX_SAFE_INTEGER);
  const structuredIds = !options.getUuidOption()?.hasString();
  const limited = BigInt(events.length) > count ? events.slice(0, Number(count)) : events;
  for (const e of limited) call.write(eventResp(e, structuredIds));
  call.end();
};
