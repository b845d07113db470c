import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AppendExpectedRevision,
  type Filter,
  type ResolvedEvent,
} from '@eventstore/db-client';
import type { AllFilter, EventMetadata, EventToAppend, ExpectedRevision, Position, RecordedEvent } from '../core/index.js';
import { matchesFilter } from '../core/index.js';

export const toEsdbExpectedRevision = (expected: ExpectedRevision): AppendExpectedRevision => {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return expected;
  }
};

export const toEsdbEvent = (event: EventToAppend) =>
  jsonEvent({
    id: event.eventId,
    type: event.type,
    data: event.data as Record<string, unknown>,
    metadata: event.metadata as unknown as Record<string, unknown>,
  });

/** `$`-prefixed streams and types belong to the server. */
export const isSystemEvent = (streamName: string, type: string): boolean =>
  streamName.startsWith('$') || type.startsWith('$');

/**
 * Events read back, in the port's shape. A stream read on servers before 22.6
 * carries no log position; it then falls back to the commit position of the
 * resolved event, and to zero when there is none.
 */
export const toRecordedEvent = (resolved: ResolvedEvent): RecordedEvent | undefined => {
  const event = resolved.event;
  if (!event) return undefined;
  const position: Position = event.position ?? {
    commit: resolved.commitPosition ?? 0n,
    prepare: resolved.commitPosition ?? 0n,
  };
  return {
    eventId: event.id,
    type: event.type,
    data: event.data,
    metadata: event.metadata as unknown as EventMetadata,
    streamName: event.streamId,
    revision: event.revision,
    position,
    recordedAt: event.created,
  };
};

/** What the server cannot filter is filtered here: system events, and event types when prefixes also apply. */
export const matchesLocally = (event: RecordedEvent, filter: AllFilter | undefined): boolean =>
  !isSystemEvent(event.streamName, event.type) && matchesFilter(event, filter);

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The server filters one thing: stream-name prefixes when we have them (our
 * categories; never system streams), otherwise exact event types, otherwise
 * just "no system events". The rest is matched locally.
 */
export const toServerFilter = (
  filter: AllFilter | undefined,
  onCheckpoint: (position: Position) => Promise<void> | void,
  checkpointInterval: number,
): Filter => {
  const common = { checkpointInterval, checkpointReached: (_: unknown, position: Position) => onCheckpoint(position) };
  if (filter?.streamPrefixes) return streamNameFilter({ prefixes: [...filter.streamPrefixes], ...common });
  if (filter?.eventTypes) {
    return eventTypeFilter({ regex: `^(${filter.eventTypes.map(escapeRegex).join('|')})$`, ...common });
  }
  return excludeSystemEvents(common);
};
