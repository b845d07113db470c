import type { Actor } from '../../domain/shared/index.js';
import type { CommandContext } from '../../eventstore/index.js';

/**
 * Where a request comes from, for its events' metadata. One request may drive
 * several commands (email, roster, user), so it carries no commandId: a shared one
 * would derive the same event ids in every stream.
 */
export type Origin = Readonly<{
  actor: Actor;
  source: string;
  correlationId: string;
  causationId?: string;
}>;

/** The actor of a request that carries no access token. */
export const ANONYMOUS = 'anonymous';

/** The command context handleCommand needs, for a command from `origin` at `occurredAt`. */
export const contextOf = (origin: Origin, occurredAt: Date, expectedRevision?: bigint): CommandContext => ({
  correlationId: origin.correlationId,
  ...(origin.causationId !== undefined && { causationId: origin.causationId }),
  actor: origin.actor.role ? { id: origin.actor.id, role: origin.actor.role } : { id: origin.actor.id },
  source: origin.source,
  occurredAt,
  ...(expectedRevision !== undefined && { expectedRevision }),
});
