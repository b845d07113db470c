/**
 * `Streams.Read` with subscription options: catch-up subscriptions to one stream or to `$all`.
 *
 * Message order, as a 22.x+ server sends it: confirmation, the historical events after the start,
 * `caught_up`, then live events until the client cancels. Start points, from the server's enumerators:
 * - stream from revision r: exclusive, events from r + 1 (`startRevision + 1`); END: only new events.
 * - `$all` from position P: the server reads one event forward from P (the first event at or after P)
 *   and starts after it, so for an event's own position the start is exclusive. P = (0, 0) is START.
 * Filtered `$all` subscriptions count every considered (scanned) event and, every
 * `checkpointIntervalMultiplier × searchWindow` of them, send a checkpoint at the position of the
 * event that completed the interval, in the catch-up phase and live alike.
 */
import { randomUUID } from 'node:crypto';
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb.js';
import {
  caughtUpResp,
  checkpointResp,
  confirmationResp,
  eventFilter,
  eventResp,
  positionOf,
  serviceError,
  streamNameOf,
} from './messages.js';
import { grpc, type ReadCall, type ReadResp, type ServiceError } from './proto.js';
import { comparePositions, type EventLog, type Position, type StoredEvent } from './store.js';

type Options = StreamsPb.ReadReq.Options;

/** Registers a way to end the call as a server restart would; returns the deregistration. */
export type Track = (abort: (error: ServiceError) => void) => () => void;

export const subscribe = (call: ReadCall, options: Options, log: EventLog, track: Track): void => {
  const source = options.hasAll() ? allSource(options, log) : streamSource(options, log);
  if ('error' in source) {
    call.emit('error', source.error);
    return;
  }
  const structuredIds = !options.getUuidOption()?.hasString();
  let open = true;
  const send = (resp: ReadResp) => {
    if (open && !call.cancelled) call.write(resp);
  };
  const drain = () => {
    for (const step of source.pending()) send('checkpoint' in step ? checkpointResp(step.checkpoint) : eventResp(step, structuredIds));
  };
  let stopListening = () => {};
  const close = () => {
    open = false;
    stopListening();
    untrack();
  };
  const untrack = track((error) => {
    close();
    call.emit('error', error);
  });
  call.on('cancelled', close);
  call.on('error', close);

  send(confirmationResp(randomUUID()));
  drain();
  send(caughtUpResp());
  stopListening = log.onAppend(drain);
};

/** Yields the events to deliver since the last call, interleaved with checkpoints. */
type Source = { pending: () => Iterable<StoredEvent | { checkpoint: Position }> };

const streamSource = (options: Options, log: EventLog): Source => {
  const streamOptions = options.getStream();
  const name = streamNameOf(streamOptions?.getStreamIdentifier());
  let next = streamOptions?.hasRevision()
    ? Number(streamOptions.getRevision()) + 1
    : streamOptions?.hasEnd()
      ? (log.stream(name)?.length ?? 0)
      : 0;
  return {
    *pending() {
      const events = log.stream(name) ?? [];
      while (next < events.length) yield events[next++]!;
    },
  };
};

const allSource = (options: Options, log: EventLog): Source | { error: ServiceError } => {
  const all = options.getAll();
  let next = 0;
  if (all?.hasEnd()) next = log.all.length;
  else if (all?.hasPosition()) {
    const from = positionOf(all.getPosition()!);
    if (from.commit !== 0n || from.prepare !== 0n) {
      const first = log.all.findIndex((e) => comparePositions(e.position, from) >= 0);
      next = first < 0 ? log.all.length : first + 1;
    }
  }
  const filter = options.hasFilter() ? eventFilter(options.getFilter()!) : undefined;
  if (filter === null) return { error: serviceError(grpc.status.INVALID_ARGUMENT, 'Invalid filter options') };
  let considered = 0;
  return {
    *pending() {
      while (next < log.all.length) {
        const e = log.all[next++]!;
        if (!filter || filter.accepts(e)) yield e;
        if (filter && ++considered >= filter.checkpointInterval) {
          considered = 0;
          yield { checkpoint: e.position };
        }
      }
    },
  };
};
