import type { Command, Decider, Event } from '../../domain/shared/index.js';
import { ExpectedRevisionMismatchError, StreamNotFoundError, WrongExpectedRevisionError } from './errors.js';
import { eventIdsFor } from './eventIds.js';
import type { Actor, AppendResult, EventStore, EventToAppend, Position, RecordedEvent } from './port.js';

/**
 * Who acts (the one Actor type) and where the command comes from: `source` is
 * api, cli, scheduler or process:<name>; the correlation id ties together
 * what one request or trigger caused. What every event's metadata records.
 * One request may drive several commands (email, roster, user), so an origin
 * carries no commandId: a shared one would derive the same event ids in every stream.
 */
export type Origin = Readonly<{
  actor: Actor;
  source: string;
  correlationId: string;
  causationId?: string;
}>;

/** What handleCommand records with a command's events: its origin, when, and how it may be retried. */
export type CommandContext = Origin &
  Readonly<{
    /** Makes eventIds deterministic, so a retried command is recognised and answered from what it stored. */
    commandId?: string;
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

export type HandleCommandOptions = Readonly<{
  maxRetries?: number;
  /**
   * The stream as the caller has just read it: the first attempt decides on
   * it instead of reading again. The append's revision check proves it still
   * current; a lost race reads the stream afresh, as always.
   */
  recorded?: readonly RecordedEvent[];
}>;

export type Folded<State> = { state: State; revision: bigint | undefined };

type Evolving<State, E extends Event> = Pick<Decider<State, Command, E>, 'evolve' | 'initialState'>;

/** A stream's events, or none when it does not exist (yet). */
export const readOrEmpty = async (store: EventStore, streamName: string): Promise<RecordedEvent[]> => {
  try {
    return await store.readStream(streamName);
  } catch (err) {
    if (err instanceof StreamNotFoundError) return [];
    throw err;
  }
};

const asEvent = <E extends Event>(recorded: RecordedEvent): E => ({ type: recorded.type, data: recorded.data }) as E;

/** The state recorded events leave, and the revision of the last one. */
export const fold = <State, E extends Event>(decider: Evolving<State, E>, recorded: readonly RecordedEvent[]): Folded<State> => ({
  state: recorded.reduce((state, r) => decider.evolve(state, asEvent<E>(r)), decider.initialState()),
  revision: recorded.at(-1)?.revision,
});

/** A stream's current state and revision, as command handling sees it; a missing stream is the initial state. */
export const foldStream = async <State, E extends Event>(
  store: EventStore,
  streamName: string,
  decider: Evolving<State, E>,
): Promise<Folded<State>> => fold(decider, await readOrEmpty(store, streamName));

/**
 * What a command with this id already stored, if anything: its events (ids
 * derived from the commandId, consecutive from the first; the first id does not
 * depend on how many events the command had), and the state as they left it.
 */
const storedByCommand = <State, E extends Event>(
  decider: Evolving<State, E>,
  recorded: readonly RecordedEvent[],
  commandId: string,
): HandleCommandResult<State, E> | undefined => {
  const firstId = eventIdsFor(commandId, 1)[0];
  const start = recorded.findIndex((r) => r.eventId === firstId);
  if (start < 0) return undefined;
  const ids = eventIdsFor(commandId, recorded.length - start);
  let end = start;
  while (end + 1 < recorded.length && recorded[end + 1]!.eventId === ids[end + 1 - start]) end++;
  const upTo = recorded.slice(0, end + 1);
  return {
    newEvents: recorded.slice(start, end + 1).map((r) => asEvent<E>(r)),
    newState: fold(decider, upTo).state,
    nextExpectedRevision: recorded[end]!.revision,
    position: recorded[end]!.position,
  };
};

/** Events decided under a command, as the store records them: ids derived from the commandId, and the metadata every command records. */
export const eventsToAppend = (events: readonly Event[], context: CommandContext): EventToAppend[] => {
  const eventIds = eventIdsFor(context.commandId, events.length);
  return events.map((event, i) => ({
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
  }));
};

/**
 * Appends events already decided, with the metadata every command records.
 * Conflicts are the caller's: this is for callers that run their own loop
 * because something else hangs on the decision (the manager roster).
 */
export const appendDecided = (
  store: EventStore,
  streamName: string,
  events: readonly Event[],
  expectedRevision: bigint | 'no_stream',
  context: CommandContext,
): Promise<AppendResult> => store.appendToStream(streamName, eventsToAppend(events, context), { expectedRevision });

const sameRevision = (expected: bigint | 'no_stream', actual: bigint | undefined): boolean =>
  expected === 'no_stream' ? actual === undefined : expected === actual;

/**
 * Read + fold, decide, append with the revision read (SPEC §5). On a revision
 * conflict the command is decided again on fresh state, a bounded number of
 * times; with an explicit expected revision the conflict is surfaced instead
 * (ExpectedRevisionMismatchError). A command whose commandId is already in the
 * stream is answered with what it stored, never decided again: a second
 * decision on later state would describe events that were never written.
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
  for (let attempt = 0; ; attempt++) {
    const recorded = attempt === 0 && options.recorded ? options.recorded : await readOrEmpty(store, streamName);
    const stored = context.commandId === undefined ? undefined : storedByCommand(decider, recorded, context.commandId);
    if (stored) return stored;
    const { state, revision } = fold(decider, recorded);
    if (context.expectedRevision !== undefined && !sameRevision(context.expectedRevision, revision)) {
      throw new ExpectedRevisionMismatchError(streamName, context.expectedRevision, revision ?? 'no_stream');
    }
    const newEvents = decider.decide(command, state);
    if (newEvents.length === 0) {
      return { newEvents, newState: state, nextExpectedRevision: revision, position: undefined };
    }
    let result: AppendResult;
    try {
      result = await appendDecided(store, streamName, newEvents, revision ?? 'no_stream', context);
    } catch (err) {
      if (!(err instanceof WrongExpectedRevisionError)) throw err;
      if (context.expectedRevision !== undefined) {
        throw new ExpectedRevisionMismatchError(streamName, context.expectedRevision, err.actual);
      }
      if (attempt >= maxRetries) throw err;
      continue;
    }
    // The store answered a concurrent run of the same command with that run's
    // write, elsewhere in the stream: read it back rather than report this decision.
    const written = (revision ?? -1n) + BigInt(newEvents.length);
    if (context.commandId !== undefined && result.nextExpectedRevision !== written) {
      const earlier = storedByCommand(decider, await readOrEmpty(store, streamName), context.commandId);
      if (earlier) return earlier;
    }
    return {
      newEvents,
      newState: newEvents.reduce(decider.evolve, state),
      nextExpectedRevision: result.nextExpectedRevision,
      position: result.position,
    };
  }
};
