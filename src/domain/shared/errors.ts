/**
 * The one error hierarchy. Every error the system raises on purpose is an
 * AppError with a stable dotted `reason` (for example
 * `subscription.invalid_transition`) for machines to branch on, and a `kind`:
 * what went wrong, in terms a caller can act on. The kinds are the system's
 * own words, not HTTP's: the HTTP layer alone maps a kind to a status. A new error is a subclass of the class of its
 * kind, with its own reason; it needs no new mapping anywhere.
 */
export type ErrorKind =
  /** The input can never be valid, whatever the state. */
  | 'invalid'
  /** The input comes in a form that is not read (a body's media type or encoding). */
  | 'unsupported'
  /** Who calls is not known, or no longer allowed to call at all. */
  | 'unauthenticated'
  /** Who calls is known, and may not do this. */
  | 'forbidden'
  | 'not_found'
  /** Valid, but not allowed in the current state. */
  | 'conflict'
  /** The state the caller said it saw (an expected revision) is no longer the state. */
  | 'precondition_failed'
  /** Too much at once: retry after `retryAfterSeconds`. */
  | 'rate_limited'
  /** Something awaited did not happen in time. */
  | 'not_ready'
  /** A failure of the system itself (its configuration, its database, a template): never the caller's doing. */
  | 'internal';

export abstract class AppError extends Error {
  abstract readonly kind: ErrorKind;
  readonly reason: string;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(reason: string, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.reason = reason;
    this.details = details;
  }
}

export class ValidationError extends AppError {
  readonly kind: ErrorKind = 'invalid';
}

export class UnsupportedMediaTypeError extends AppError {
  readonly kind: ErrorKind = 'unsupported';
}

export class AuthenticationError extends AppError {
  readonly kind: ErrorKind = 'unauthenticated';
}

export class ForbiddenError extends AppError {
  readonly kind: ErrorKind = 'forbidden';
}

export class NotFoundError extends AppError {
  readonly kind: ErrorKind = 'not_found';
}

export class ConflictError extends AppError {
  readonly kind: ErrorKind = 'conflict';
}

export class RateLimitedError extends AppError {
  readonly kind: ErrorKind = 'rate_limited';
  constructor(
    readonly retryAfterSeconds: number,
    reason = 'request.rate_limited',
    message = `too many requests; retry in ${retryAfterSeconds} s`,
  ) {
    super(reason, message, { retryAfterSeconds });
  }
}

export class NotReadyError extends AppError {
  readonly kind: ErrorKind = 'not_ready';
}

export class InternalError extends AppError {
  readonly kind: ErrorKind = 'internal';
}
