import type { Logger } from 'winston';
import type { Role } from '../../domain/shared/index.js';

/** The authenticated caller, with the role they have now (not the one in their token). */
export type Principal = Readonly<{ userId: string; role: Role }>;

/** What every request carries through the middleware chain. */
export type ApiState = {
  requestId: string;
  logger: Logger;
  principal?: Principal;
  valid?: { body?: unknown; query?: unknown; params?: unknown };
};
