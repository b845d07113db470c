import type { Actor } from '../domain/shared/index.js';

/** Where a command comes from, for its events' metadata. */
export type Origin = Readonly<{
  actor: Actor | Readonly<{ id: string; role?: undefined }>;
  source: string;
  correlationId: string;
  causationId?: string;
  commandId?: string;
}>;

/** The actor of a request that carries no access token. */
export const ANONYMOUS = 'anonymous';
