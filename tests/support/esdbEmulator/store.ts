/**
 * The emulator's in-memory log: one global `$all` sequence plus a per-stream index into it.
 *
 * Position scheme: the n-th event ever appended (1-based, across all streams) is at
 * `commit = prepare = n * 100`. A modern server writes the events of one append as implicitly
 * committed prepares, so each event gets its own position with commit equal to prepare, and the
 * append answers with the position of its last event (the server's own comment: "not technically
 * correct, but matches current behavior").
 */

export type Position = { commit: bigint; prepare: bigint };

export type ProposedEvent = {
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  customMetadata: Uint8Array;
};

export type StoredEvent = ProposedEvent & {
  streamId: string;
  revision: bigint;
  position: Position;
  /** Recording time in .NET ticks (100 ns) since the Unix epoch, as the server sends `created`. */
  created: bigint;
};

export type ExpectedRevision =
  | { kind: 'any' }
  | { kind: 'no_stream' }
  | { kind: 'stream_exists' }
  | { kind: 'revision'; revision: bigint };

/** `currentRevision` null = the stream does not exist. */
export type AppendResult =
  | { kind: 'success'; currentRevision: bigint | null; position: Position | null }
  | { kind: 'wrong_expected_version'; currentRevision: bigint | null };

const POSITION_STRIDE = 100n;
const TICKS_PER_MILLISECOND = 10_000n;

export const comparePositions = (a: Position, b: Position): number =>
  a.commit !== b.commit ? (a.commit < b.commit ? -1 : 1) : a.prepare === b.prepare ? 0 : a.prepare < b.prepare ? -1 : 1;

export class EventLog {
  /** Every event in `$all` order. */
  readonly all: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly listeners = new Set<() => void>();

  stream(streamId: string): readonly StoredEvent[] | undefined {
    return this.streams.get(streamId);
  }

  /** Calls `listener` synchronously after every successful write; returns the unsubscribe function. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  append(streamId: string, expected: ExpectedRevision, events: ProposedEvent[], now = Date.now()): AppendResult {
    const existing = this.streams.get(streamId) ?? [];
    const current = BigInt(existing.length) - 1n; // -1n: no stream
    const currentOrNull = current < 0n ? null : current;
    const wrong: AppendResult = { kind: 'wrong_expected_version', currentRevision: currentOrNull };

    const decision = decide(existing, current, expected, events);
    if (decision === 'wrong') return wrong;
    if (decision !== 'write') {
      const last = decision.at(-1);
      return { kind: 'success', currentRevision: last?.revision ?? currentOrNull, position: last?.position ?? null };
    }
    if (events.length === 0) return { kind: 'success', currentRevision: currentOrNull, position: null };

    const stream = existing;
    this.streams.set(streamId, stream);
    const created = BigInt(now) * TICKS_PER_MILLISECOND;
    for (const proposed of events) {
      const logPosition = BigInt(this.all.length + 1) * POSITION_STRIDE;
      const stored: StoredEvent = {
        ...proposed,
        streamId,
        revision: BigInt(stream.length),
        position: { commit: logPosition, prepare: logPosition },
        created,
      };
      stream.push(stored);
      this.all.push(stored);
    }
    const last = stream.at(-1);
    for (const listener of [...this.listeners]) listener();
    return { kind: 'success', currentRevision: last?.revision ?? null, position: last?.position ?? null };
  }
}

/**
 * The server's commit check, simplified: 'write', 'wrong', or the already-written events of an
 * idempotent retry (same ids, in order, at the place the expected revision points to).
 */
const decide = (
  existing: readonly StoredEvent[],
  current: bigint,
  expected: ExpectedRevision,
  events: ProposedEvent[],
): 'write' | 'wrong' | StoredEvent[] => {
  const firstId = events[0]?.id;
  switch (expected.kind) {
    case 'stream_exists':
    case 'any': {
      if (expected.kind === 'stream_exists' && current < 0n) return 'wrong';
      if (firstId === undefined) return 'write';
      const start = existing.findIndex((e) => e.id === firstId);
      if (start < 0) return 'write';
      return matchesAt(existing, start, events) ?? 'wrong';
    }
    case 'no_stream':
    case 'revision': {
      const revision = expected.kind === 'no_stream' ? -1n : expected.revision;
      if (revision === current) return 'write';
      if (revision > current || firstId === undefined) return 'wrong';
      return matchesAt(existing, Number(revision + 1n), events) ?? 'wrong';
    }
  }
};

const matchesAt = (existing: readonly StoredEvent[], start: number, events: ProposedEvent[]): StoredEvent[] | null => {
  const slice = existing.slice(start, start + events.length);
  return slice.length === events.length && slice.every((e, i) => e.id === events[i]?.id) ? slice : null;
};
