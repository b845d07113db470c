import type { Logger } from 'winston';
import type { Actor } from '../../domain/shared/index.js';

/** What every request carries through the middleware chain. */
export type ApiState = {
  requestId: string;
  logger: Logger;
  /** The authenticated caller, with the role they have now (not the one in their token). */
  actor?: Actor;
  valid?: { body?: unknown; query?: unknown; params?: unknown };
};
