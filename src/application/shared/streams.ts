import { type Clock } from '../../clock/index.js';
import type { Command, Decider, Event } from '../../domain/shared/index.js';
import { NotFoundError, ValidationError } from '../../domain/shared/index.js';
import {
  foldStream,
  handleCommand,
  fold,
  readOrEmpty,
  type EventStore,
  type Folded,
  type HandleCommandResult,
  type RecordedEvent,
} from '../../eventstore/index.js';
import { contextOf, type Origin } from './origin.js';

/** A command's origin, with the revision its caller saw (If-Match) and an id that makes a retry recognised. */
export type Ask = Origin & Readonly<{ ifMatch?: bigint; commandId?: string }>;

export type Aggregate<S, C extends Command, E extends Event> = Readonly<{
  decider: Decider<S, C, E>;
  streamOf: (id: string) => string;
}>;

/**
 * One aggregate's command path: read and fold its stream, decide, append
 * with the revision read (handleCommand), with the time from the clock.
 */
export const commandPath = <S, C extends Command, E extends Event>(store: EventStore, clock: Clock, aggregate: Aggregate<S, C, E>) => ({
  run: (id: string, command: C, ask: Ask, expectNew = false): Promise<HandleCommandResult<S, E>> =>
    handleCommand(store, aggregate.streamOf(id), aggregate.decider, command, {
      ...contextOf(ask, clock.now(), ask.ifMatch),
      ...(expectNew && { expectedRevision: 'no_stream' as const }),
      ...(ask.commandId !== undefined && { commandId: ask.commandId }),
    }),
  current: (id: string): Promise<Folded<S>> => foldStream(store, aggregate.streamOf(id), aggregate.decider),
});

/** Where in a stream's history to read: the events recorded up to an instant, or up to a revision. */
export type PointInTime = Readonly<{ asOf?: Date; revision?: bigint }>;

const upTo = (events: readonly RecordedEvent[], at: PointInTime): readonly RecordedEvent[] => {
  if (at.asOf !== undefined && at.revision !== undefined) {
    throw new ValidationError('history.ambiguous', 'ask for asOf or revision, not both');
  }
  if (at.asOf !== undefined) return events.filter((e) => e.recordedAt.getTime() <= at.asOf!.getTime());
  if (at.revision !== undefined) return events.filter((e) => e.revision <= at.revision!);
  return events;
};

/**
 * The state folded from the events recorded up to a point in time, for
 * auditors. "Recorded" is when the store committed the event, not the
 * instant it says it takes effect: asOf answers "what did we know then".
 * A stream with nothing recorded by then answers `notFound`.
 */
export const stateAt = async <S, C extends Command, E extends Event>(
  store: EventStore,
  aggregate: Aggregate<S, C, E>,
  id: string,
  at: PointInTime,
  notFound: () => NotFoundError,
): Promise<Folded<S>> => {
  const seen = upTo(await readOrEmpty(store, aggregate.streamOf(id)), at);
  if (seen.length === 0) throw notFound();
  return fold(aggregate.decider, seen);
};
