import { EventEmitter } from 'node:events';
import type { Kysely } from 'kysely';
import type { Logger } from 'winston';
import { NotFoundError } from '../../domain/shared/index.js';
import { formatPosition, hasReached, type EventStore, type Position } from '../../eventstore/index.js';
import { lockCheckpoint, saveCheckpoint, ensureCheckpoint } from './checkpoints.js';
import type { Database } from '../../db/index.js';
import type { Projection } from './projection.js';
import { ProjectionWorker } from './worker.js';
import { groupCommit } from './groupCommit.js';

export type ProjectionRunnerOptions = Readonly<{
  db: Kysely<Database>;
  store: EventStore;
  logger: Logger;
  projections: readonly Projection[];
  batchSize?: number;
  flushIdleMs?: number;
  retryDelayMs?: number;
  /** A position reached without events of a projection is stored at most this often (and on stop). */
  checkpointIntervalMs?: number;
}>;

export type ProjectionStatus = Readonly<{
  name: string;
  running: boolean;
  position: string | null;
  headPosition: string | null;
  caughtUp: boolean;
  /** How long the projection has gone without catching up with the head; 0 when caught up. */
  lagMs: number;
  lastError: string | null;
}>;

export class ProjectionRunner {
  private readonly workers = new Map<string, ProjectionWorker>();
  private readonly progress = new EventEmitter();

  constructor(private readonly options: ProjectionRunnerOptions) {
    this.progress.setMaxListeners(0);
    const commit = groupCommit(options.db);
    for (const projection of options.projections) {
      if (this.workers.has(projection.name)) throw new Error(`duplicate projection ${projection.name}`);
      this.workers.set(
        projection.name,
        new ProjectionWorker(projection, {
          db: options.db,
          store: options.store,
          logger: options.logger,
          batchSize: options.batchSize ?? 500,
          flushIdleMs: options.flushIdleMs ?? 25,
          retryDelayMs: options.retryDelayMs ?? 1_000,
          checkpointIntervalMs: options.checkpointIntervalMs ?? 1_000,
          onProgress: () => this.progress.emit('progress'),
          commit,
        }),
      );
    }
  }

  start(): void {
    for (const worker of this.workers.values()) worker.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    this.progress.emit('progress');
  }

  private worker(name: string): ProjectionWorker {
    const worker = this.workers.get(name);
    if (!worker) throw new NotFoundError('projection.not_found', `no projection named ${name}`);
    return worker;
  }

  /**
   * Empties the read model and replays it from position 0. A runner elsewhere
   * that still holds the old checkpoint notices at its next batch and follows.
   */
  async rebuild(name: string): Promise<void> {
    const worker = this.worker(name);
    const wasRunning = worker.running;
    await worker.stop();
    await ensureCheckpoint(this.options.db, name);
    await this.options.db.transaction().execute(async (trx) => {
      await lockCheckpoint(trx, name);
      await worker.projection.reset(trx);
      await saveCheckpoint(trx, name, undefined, 0);
    });
    worker.position = undefined;
    this.options.logger.info('projection reset for rebuild', { projection: name });
    if (wasRunning) worker.start();
  }

  async status(): Promise<ProjectionStatus[]> {
    const head = await this.options.store.headPosition();
    const now = Date.now();
    return [...this.workers.values()].map((w) => {
      // At the head counts as caught up too: servers before EventStoreDB 23.10 never say "caught up".
      const caughtUp = w.caughtUp || head === undefined || hasReached(w.position, head);
      return {
        name: w.projection.name,
        running: w.running,
        position: w.position ? formatPosition(w.position) : null,
        headPosition: head ? formatPosition(head) : null,
        caughtUp,
        lagMs: caughtUp ? 0 : now - (w.lastCaughtUpAt ?? w.startedAt),
        lastError: w.lastError ?? null,
      };
    });
  }

  /** Resolves true once every named projection has passed `position`, false after `timeoutMs`. */
  waitFor(names: readonly string[], position: Position, timeoutMs: number): Promise<boolean> {
    const workers = names.map((n) => this.worker(n));
    const reached = () => workers.every((w) => hasReached(w.position, position));
    if (reached()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!reached()) return;
        finish(true);
      };
      const finish = (value: boolean) => {
        clearTimeout(timer);
        this.progress.off('progress', check);
        resolve(value);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.progress.on('progress', check);
    });
  }
}
