import type { Logger } from 'winston';
import type { Actor } from '../../domain/shared/index.js';

/** What every request carries through the middleware chain. */
export type ApiState = {
  requestId: string;
  logger: Logger;
  /** The authenticated caller, with the role they have now (not the one in their token). */
  actor?: Actor;
  /** An API key's scopes (`customers:read`…): set only when a key calls, and checked against the route it reaches. */
  scopes?: readonly string[];
  /** Fields of the answer's body shown this once (a new API key): an Idempotency-Key keeps the answer without them. */
  shownOnce?: readonly string[];
  valid?: { body?: unknown; query?: unknown; params?: unknown };
};
