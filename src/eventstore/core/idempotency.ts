import { DuplicateEventIdError } from './errors.js';
import type { AppendResult, EventToAppend, Position } from './port.js';

export type StoredIdentity = Readonly<{
  eventId: string;
  streamName: string;
  revision: bigint;
  position: Position;
}>;

/**
 * Decides whether an append is a retry of a write that already happened.
 * `existing` holds whatever the store found for the batch's eventIds. A retry
 * must match the earlier write exactly (same stream, same ids, consecutive
 * revisions); it then answers that write's result and appends nothing.
 * Returns undefined when none of the ids exist (a new write).
 */
export const retriedAppendResult = (
  streamName: string,
  events: readonly EventToAppend[],
  existing: readonly StoredIdentity[],
): AppendResult | undefined => {
  if (existing.length === 0) return undefined;
  const byId = new Map(existing.map((e) => [e.eventId, e]));
  const first = byId.get(events[0]!.eventId);
  if (!first || existing.length !== events.length) {
    throw new DuplicateEventIdError(streamName, existing[0]!.eventId);
  }
  let last = first;
  events.forEach((event, index) => {
    const stored = byId.get(event.eventId);
    if (
      !stored ||
      stored.streamName !== streamName ||
      stored.revision !== first.revision + BigInt(index)
    ) {
      throw new DuplicateEventIdError(streamName, event.eventId);
    }
    last = stored;
  });
  return { nextExpectedRevision: last.revision, position: last.position };
};
