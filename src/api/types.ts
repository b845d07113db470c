import type { Logger } from 'winston';

/** What every request carries through the middleware chain. */
export type ApiState = {
  requestId: string;
  logger: Logger;
  valid?: { body?: unknown; query?: unknown; params?: unknown };
};
