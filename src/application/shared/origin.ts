import type { CommandContext, Origin } from '../../eventstore/index.js';

export type { Origin } from '../../eventstore/index.js';

/** The command context handleCommand needs, for a command from `origin` at `occurredAt`. */
export const contextOf = (origin: Origin, occurredAt: Date, expectedRevision?: bigint): CommandContext => ({
  correlationId: origin.correlationId,
  ...(origin.causationId !== undefined && { causationId: origin.causationId }),
  actor: {
    id: origin.actor.id,
    ...(origin.actor.role !== undefined && { role: origin.actor.role }),
    ...(origin.actor.onBehalfOf !== undefined && { onBehalfOf: origin.actor.onBehalfOf }),
  },
  source: origin.source,
  occurredAt,
  ...(expectedRevision !== undefined && { expectedRevision }),
});

/**
 * Only the origin of what may be more (an Ask, with its If-Match and retry
 * id): what is handed on to another command or kept in a job, where those
 * would mean something else (and a bigint is no JSON).
 */
export const originOnly = (origin: Origin): Origin => ({
  actor: origin.actor,
  source: origin.source,
  correlationId: origin.correlationId,
  ...(origin.causationId !== undefined && { causationId: origin.causationId }),
});
