/**
 * Commands and events are plain, immutable discriminated unions.
 * `metadata` is optional on the type so deciders stay free of transport concerns.
 */
export type Command<
  CommandType extends string = string,
  CommandData extends Record<string, unknown> = Record<string, unknown>,
  CommandMetadata extends Record<string, unknown> | undefined = undefined,
> = Readonly<{
  type: CommandType;
  data: Readonly<CommandData>;
  metadata?: CommandMetadata;
}>;

export type Event<
  EventType extends string = string,
  EventData extends Record<string, unknown> = Record<string, unknown>,
  EventMetadata extends Record<string, unknown> | undefined = undefined,
> = Readonly<{
  type: EventType;
  data: Readonly<EventData>;
  metadata?: EventMetadata;
}>;

/**
 * A Decider is the whole behaviour of an aggregate as three pure functions.
 * `decide` may throw a DomainError; it never performs I/O and never reads a clock:
 * time and ids arrive on the command.
 */
export type Decider<State, C extends Command, E extends Event> = Readonly<{
  decide: (command: C, state: State) => readonly E[];
  evolve: (state: State, event: E) => State;
  initialState: () => State;
}>;
