import { ConflictError, NotFoundError, type ErrorKind } from '../../domain/shared/index.js';
import type { ExpectedRevision } from './port.js';

export type ActualRevision = bigint | 'no_stream';

const show = (r: ExpectedRevision | ActualRevision): string =>
  typeof r === 'bigint' ? r.toString() : r;

export class WrongExpectedRevisionError extends ConflictError {
  readonly streamName: string;
  readonly expected: ExpectedRevision;
  readonly actual: ActualRevision;

  constructor(streamName: string, expected: ExpectedRevision, actual: ActualRevision) {
    super(
      'stream.wrong_expected_revision',
      `stream ${streamName}: expected revision ${show(expected)}, actual ${show(actual)}`,
      { streamName, expected: show(expected), actual: show(actual) },
    );
    this.streamName = streamName;
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * The caller named the revision it decided on (an If-Match) and the stream is
 * elsewhere. Never retried: deciding again would ignore what the caller saw.
 * Only raised when an expected revision was given, so the API may answer 412.
 */
export class ExpectedRevisionMismatchError extends ConflictError {
  override readonly kind: ErrorKind = 'precondition_failed';
  readonly streamName: string;
  readonly expected: bigint | 'no_stream';
  readonly actual: ActualRevision;

  constructor(streamName: string, expected: bigint | 'no_stream', actual: ActualRevision) {
    super('stream.precondition_failed', `${streamName} is at revision ${show(actual)}, not ${show(expected)}`, {
      streamName,
      expectedRevision: show(expected),
      currentRevision: actual === 'no_stream' ? null : actual.toString(),
    });
    this.streamName = streamName;
    this.expected = expected;
    this.actual = actual;
  }
}

export class StreamNotFoundError extends NotFoundError {
  readonly streamName: string;
  constructor(streamName: string) {
    super('stream.not_found', `stream ${streamName} not found`, { streamName });
    this.streamName = streamName;
  }
}

/** An eventId is already stored, but not as the same write being retried. */
export class DuplicateEventIdError extends ConflictError {
  constructor(streamName: string, eventId: string) {
    super(
      'stream.duplicate_event_id',
      `event ${eventId} already exists and is not an identical retry on ${streamName}`,
      { streamName, eventId },
    );
  }
}

export const actualMatches = (expected: ExpectedRevision, actual: ActualRevision): boolean => {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === 'no_stream';
  if (expected === 'stream_exists') return actual !== 'no_stream';
  return actual === expected;
};
