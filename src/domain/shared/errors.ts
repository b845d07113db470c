/**
 * Every error the system raises on purpose carries a stable dotted `reason`
 * (for example `subscription.invalid_transition`). The API maps the class to an
 * HTTP status and error code; the reason is passed through for machines to branch on.
 */
export abstract class AppError extends Error {
  readonly reason: string;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(reason: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.reason = reason;
    this.details = details;
  }
}

/** Input that can never be valid, whatever the state. */
export class ValidationError extends AppError {}

/** The command is valid but not allowed in the current state. */
export class ConflictError extends AppError {}

export class NotFoundError extends AppError {}

export class AuthenticationError extends AppError {}

export class ForbiddenError extends AppError {}


/** The caller asked to wait for something that did not happen in time. */
export class NotReadyError extends AppError {}
