import type { Kysely } from 'kysely';
import type { Logger } from 'winston';
import type { Database } from '../../db/index.js';
import type { CommandContext, EventStore, Position, RecordedEvent } from '../../eventstore/index.js';
import type { Projection } from './projection.js';
import { ProjectionRunner, type ProjectionStatus } from './runner.js';

/** A process manager on the projection runtime, under its own checkpoint and runner, never rebuilt with the read models. */
export type ProcessManager = Readonly<{
  start: () => void;
  /** Lets the batch in progress (and the commands it sends) finish and commit, then stops. */
  stop: () => Promise<void>;
  status: () => Promise<ProjectionStatus>;
  /** Resolves true once every event up to `position` has been handled, false after `timeoutMs`. */
  waitFor: (position: Position, timeoutMs: number) => Promise<boolean>;
}>;

export type ProcessManagerOptions = Readonly<{
  db: Kysely<Database>;
  store: EventStore;
  logger: Logger;
  batchSize: number;
  retryDelayMs?: number;
}>;

export const runProcessManager = (projection: Projection, options: ProcessManagerOptions): ProcessManager => {
  const runner = new ProjectionRunner({
    db: options.db,
    store: options.store,
    logger: options.logger,
    projections: [projection],
    batchSize: options.batchSize,
    ...(options.retryDelayMs !== undefined && { retryDelayMs: options.retryDelayMs }),
  });
  return {
    start: () => runner.start(),
    stop: () => runner.stop(),
    status: async () => (await runner.status())[0]!,
    waitFor: (position, timeoutMs) => runner.waitFor([projection.name], position, timeoutMs),
  };
};

/**
 * The context of a command a process manager sends because of `trigger`: its
 * commandId derived from the trigger, so a replayed batch is answered from
 * the store; it happens at `at`, the instant the trigger's change took effect.
 */
export const causedBy = (
  trigger: RecordedEvent,
  commandId: string,
  who: Readonly<{ actor: CommandContext['actor']; source: string }>,
  at: string,
): CommandContext => ({
  commandId,
  causationId: trigger.eventId,
  correlationId: trigger.metadata.correlationId,
  actor: who.actor,
  source: who.source,
  occurredAt: new Date(at),
});
