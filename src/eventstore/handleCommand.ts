import { PreconditionFailedError, type Command, type Decider, type Event } from '../domain/shared/index.js';
import { StreamNotFoundError, WrongExpectedRevisionError } from './errors.js';
import { eventIdsFor } from './eventIds.js';
import type { Actor, EventStore, Position } from './port.js';

export type CommandContext = Readonly<{
  correlationId: string;
  causationId?: string;
  /** Makes eventIds deterministic, so a retried command is an idempotent append. */
  commandId?: string;
  actor: Actor;
  source: string;
  /** Domain time of the command, from the injected clock. */
  occurredAt: Date;
  /** From `If-Match`: the revision the caller saw. A mismatch is surfaced, never retried. */
  expectedRevision?: bigint | 'no_stream';
  schemaVersions?: Readonly<Record<string, number>>;
}>;

export type HandleCommandResult<State, E extends Event> = Readonly<{
  /** Empty when the command changed nothing. */
  newEvents: readonly E[];
  newState: State;
  /** Revision of the stream's last event after the command; undefined for a stream with no events. */
  nextExpectedRevision: bigint | undefined;
  /** Position of the last appended event; undefined when nothing was appended. */
  position: Position | undefined;
}>;

export type HandleCommandOptions = Readonly<{ maxRetries?: number }>;

export type Folded<State> = { state: State; revision: bigint | undefined };

/** A stream's current state and revision, as command handling sees it; a missing stream is the initial state. */
export const foldStream = async <State, E extends Event>(
  store: EventStore,
  streamName: string,
  decider: Pick<Decider<State, Command, E>, 'evolve' | 'initialState'>,
): Promise<Folded<State>> => {
  let state = decider.initialState();
  let revision: bigint | undefined;
  try {
    for (const recorded of await store.readStream(streamName)) {
      state = decider.evolve(state, { type: recorded.type, data: recorded.data } as E);
      revision = recorded.revision;
    }
  } catch (err) {
    if (!(err instanceof StreamNotFoundError)) throw err;
  }
  return { state, revision };
};

const sameRevision = (expected: bigint | 'no_stream', actual: bigint | undefined): boolean =>
  expected === 'no_stream' ? actual === undefined : expected === actual;

/**
 * Read + fold, decide, append with the revision read (SPEC §5). On a revision
 * conflict the command is decided again on fresh state, a bounded number of
 * times; with an explicit expected revision the conflict is surfaced instead.
 */
export const handleCommand = async <State, C extends Command, E extends Event>(
  store: EventStore,
  streamName: string,
  decider: Decider<State, C, E>,
  command: C,
  context: CommandContext,
  options: HandleCommandOptions = {},
): Promise<HandleCommandResult<State, E>> => {
  const maxRetries = options.maxRetries ?? 3;
  const anyDecider = decider as unknown as Decider<State, Command, E>;
  for (let attempt = 0; ; attempt++) {
    const { state, revision } = await foldStream(store, streamName, anyDecider);
    if (context.expectedRevision !== undefined && !sameRevision(context.expectedRevision, revision)) {
      throw new PreconditionFailedError(
        'stream.precondition_failed',
        `${streamName} is at revision ${revision ?? 'no_stream'}, not ${context.expectedRevision}`,
        { streamName, currentRevision: revision?.toString() ?? null },
      );
    }
    const newEvents = decider.decide(command, state);
    if (newEvents.length === 0) {
      return { newEvents, newState: state, nextExpectedRevision: revision, position: undefined };
    }
    const eventIds = eventIdsFor(context.commandId, newEvents.length);
    try {
      const result = await store.appendToStream(
        streamName,
        newEvents.map((event, i) => ({
          eventId: eventIds[i]!,
          type: event.type,
          data: event.data,
          metadata: {
            correlationId: context.correlationId,
            ...(context.causationId !== undefined && { causationId: context.causationId }),
            ...(context.commandId !== undefined && { commandId: context.commandId }),
            actor: context.actor,
            source: context.source,
            occurredAt: context.occurredAt.toISOString(),
            schemaVersion: context.schemaVersions?.[event.type] ?? 1,
          },
        })),
        { expectedRevision: revision ?? 'no_stream' },
      );
      return {
        newEvents,
        newState: newEvents.reduce(decider.evolve, state),
        nextExpectedRevision: result.nextExpectedRevision,
        position: result.position,
      };
    } catch (err) {
      if (!(err instanceof WrongExpectedRevisionError)) throw err;
      if (context.expectedRevision !== undefined) {
        throw new PreconditionFailedError('stream.precondition_failed', err.message, err.details);
      }
      if (attempt >= maxRetries) throw err;
    }
  }
};
