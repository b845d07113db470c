/**
 * The EventStore port (SPEC §4). Adapters: memory (domain unit tests),
 * postgres (embedded default) and esdb (EventStoreDB).
 *
 * A Position is the pair EventStoreDB uses, `{ commit, prepare }`, ordered
 * lexicographically. The PostgreSQL adapter fills it with
 * `{ commit: transaction id (xid8), prepare: global sequence }`, which is the
 * order in which its readers can see events without gaps.
 */
export type Position = Readonly<{ commit: bigint; prepare: bigint }>;

export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | bigint;

import type { Actor } from '../../domain/shared/index.js';

export type { Actor };

export type EventMetadata = Readonly<{
  correlationId: string;
  causationId?: string;
  commandId?: string;
  actor: Actor;
  /** `api` | `cli` | `scheduler` | `process:<name>` */
  source: string;
  /** Domain time from the injected clock, ISO 8601. */
  occurredAt: string;
  schemaVersion: number;
}>;

export type EventToAppend = Readonly<{
  /** Supplied by the caller so that a retried append is recognised as the same write. */
  eventId: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
}>;

export type RecordedEvent = Readonly<{
  eventId: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  streamName: string;
  revision: bigint;
  position: Position;
  /** Set by the store. */
  recordedAt: Date;
}>;

export type AppendOptions = Readonly<{ expectedRevision: ExpectedRevision }>;

export type AppendResult = Readonly<{ nextExpectedRevision: bigint; position: Position }>;

export type Direction = 'forwards' | 'backwards';

export type ReadStreamOptions = Readonly<{
  /** Inclusive. Defaults to the first event (forwards) or the last (backwards). */
  fromRevision?: bigint;
  maxCount?: number;
  direction?: Direction;
}>;

export type AllFilter = Readonly<{
  streamPrefixes?: readonly string[];
  eventTypes?: readonly string[];
}>;

export type ReadAllOptions = Readonly<{
  /** Exclusive: events strictly after this position. Omitted means from the start. */
  fromPosition?: Position;
  /** A page, never the whole log: defaults to DEFAULT_READ_ALL_COUNT. */
  maxCount?: number;
  filter?: AllFilter;
}>;

export const DEFAULT_READ_ALL_COUNT = 1000;

export type SubscribeOptions = Readonly<{
  /** Exclusive, like a checkpoint: delivery resumes after it. */
  fromPosition?: Position;
  filter?: AllFilter;
}>;

export type SubscriptionMessage =
  | Readonly<{ kind: 'event'; event: RecordedEvent }>
  /**
   * Everything up to `position` has been delivered (or filtered out). A consumer
   * may checkpoint at `position` even when no event passed its filter.
   */
  | Readonly<{ kind: 'caughtUp'; position: Position | undefined }>
  /**
   * Everything up to `position` has been delivered or filtered out, while the
   * subscription may still be catching up (EventStoreDB's filtered checkpoints).
   */
  | Readonly<{ kind: 'checkpoint'; position: Position }>;

export interface Subscription extends AsyncIterable<SubscriptionMessage> {
  close(): Promise<void>;
}

export interface EventStore {
  readonly kind: 'memory' | 'postgres' | 'esdb';
  appendToStream(
    streamName: string,
    events: readonly EventToAppend[],
    options: AppendOptions,
  ): Promise<AppendResult>;
  /** Throws StreamNotFoundError when the stream has no events. */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(options?: SubscribeOptions): Subscription;
  /** The position of the last event a reader can see, for lag and readiness. */
  headPosition(): Promise<Position | undefined>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * Many streams in one round trip and one transaction, for work done in
   * bulk (a billing run). Only the PostgreSQL adapter has it; a caller falls
   * back to one stream at a time without it.
   */
  readonly batch?: BatchWrites;
}

/** An append with the exact revision it was decided on (`no_stream`: the stream must not exist). */
export type StreamAppend = Readonly<{ streamName: string; events: readonly EventToAppend[]; expectedRevision: bigint | 'no_stream' }>;

export type StoreTransaction = Readonly<{
  /** A statement of the caller's own, on the transaction's connection. */
  query: (text: string, values: readonly unknown[]) => Promise<{ rows: unknown[] }>;
  /** Throws WrongExpectedRevisionError (the transaction is then lost) when a stream is not at its expected revision. */
  append: (appends: readonly StreamAppend[]) => Promise<void>;
}>;

export interface BatchWrites {
  /** Every named stream's events, in revision order; a stream that does not exist reads as none. */
  readStreams(streamNames: readonly string[]): Promise<Map<string, RecordedEvent[]>>;
  /** `work`'s statements and appends commit together, or none of them does. */
  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T>;
}
