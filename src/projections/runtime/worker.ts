import type { Kysely } from 'kysely';
import type { Logger } from 'winston';
import {
  comparePositions,
  type EventStore,
  type Position,
  type RecordedEvent,
  type Subscription,
  type SubscriptionMessage,
} from '../../eventstore/index.js';
import { ensureCheckpoint, getCheckpoint } from './checkpoints.js';
import type { Database } from '../../db/index.js';
import type { Projection } from './projection.js';
import { CheckpointMovedError, type GroupCommit } from './groupCommit.js';

export type WorkerOptions = Readonly<{
  db: Kysely<Database>;
  store: EventStore;
  logger: Logger;
  batchSize: number;
  /** A partial batch is written when no further event arrives within this time. */
  flushIdleMs: number;
  retryDelayMs: number;
  /**
   * How often a position reached without events of this projection is written
   * down. Each write is a transaction, and holds back the store's visibility
   * horizon for every subscriber while it runs: not on every caught-up signal.
   */
  checkpointIntervalMs: number;
  onProgress: () => void;
  /** How a batch is committed: with the batches of the runner's other projections that come at the same time. */
  commit: GroupCommit;
}>;


const samePosition = (a: Position | undefined, b: Position | undefined): boolean =>
  a === undefined || b === undefined ? a === b : comparePositions(a, b) === 0;

const IDLE = Symbol('idle');

export class ProjectionWorker {
  /** Where the read model stands: what `waitFor` and `status` use. May run ahead of the stored checkpoint. */
  position: Position | undefined;
  /** The stored checkpoint as we last read or wrote it; the compare-and-set compares with this. */
  private persisted: Position | undefined;
  private persistedAt = 0;
  caughtUp = false;
  lastCaughtUpAt: number | undefined;
  lastError: string | undefined;
  readonly startedAt = Date.now();
  private subscription: Subscription | undefined;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private retryTimer: { timer: NodeJS.Timeout; resolve: () => void } | undefined;

  constructor(
    readonly projection: Projection,
    private readonly options: WorkerOptions,
  ) {}

  get running(): boolean {
    return this.loop !== undefined;
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run().finally(() => {
      this.loop = undefined;
    });
  }

  /** Lets an in-flight batch commit, then stops. Events read but not written are read again later. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.retryTimer) {
      clearTimeout(this.retryTimer.timer);
      this.retryTimer.resolve();
    }
    await this.subscription?.close();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { db, store, logger } = this.options;
    const name = this.projection.name;
    while (!this.stopping) {
      try {
        await ensureCheckpoint(db, name);
        this.position = this.persisted = (await getCheckpoint(db, name))?.position;
        this.persistedAt = Date.now();
        this.caughtUp = false;
        this.subscription = store.subscribeToAll({
          ...(this.position && { fromPosition: this.position }),
          ...(this.projection.filter && { filter: this.projection.filter }),
        });
        await this.consume(this.subscription);
        // Stopping: write down where the projection stands.
        await this.write([], this.position);
        this.lastError = undefined;
      } catch (err) {
        if (err instanceof CheckpointMovedError) {
          logger.info('projection checkpoint moved elsewhere; resuming from it', { projection: name });
          continue;
        }
        this.lastError = err instanceof Error ? err.message : String(err);
        logger.error('projection failed; retrying', { projection: name, err: this.lastError });
        await this.sleep(this.options.retryDelayMs);
      } finally {
        await this.subscription?.close();
        this.subscription = undefined;
      }
    }
  }

  private async consume(subscription: Subscription): Promise<void> {
    const iterator = subscription[Symbol.asyncIterator]();
    let batch: RecordedEvent[] = [];
    // The next read runs while a batch is written; if it fails meanwhile, the
    // failure must wait for us instead of crashing the process as unhandled.
    const pull = () => {
      const promise = iterator.next();
      promise.catch(() => undefined);
      return promise;
    };
    let next = pull();
    while (!this.stopping) {
      const result: IteratorResult<SubscriptionMessage> | typeof IDLE =
        batch.length === 0 ? await next : await this.raceIdle(next);
      if (result === IDLE) {
        await this.flush(batch, batch[batch.length - 1]!.position);
        batch = [];
        continue;
      }
      if (result.done || this.stopping) return;
      next = pull();
      const message = result.value;
      if (message.kind === 'event') {
        batch.push(message.event);
        if (batch.length >= this.options.batchSize) {
          await this.flush(batch, message.event.position);
          batch = [];
        }
      } else if (message.kind === 'checkpoint') {
        await this.flush(batch, message.position);
        batch = [];
      } else {
        await this.flush(batch, message.position ?? batch[batch.length - 1]?.position);
        batch = [];
        this.caughtUp = true;
        this.lastCaughtUpAt = Date.now();
        this.lastError = undefined;
        this.options.onProgress();
      }
    }
  }

  private async raceIdle<T>(next: Promise<T>): Promise<T | typeof IDLE> {
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<typeof IDLE>((resolve) => {
      timer = setTimeout(() => resolve(IDLE), this.options.flushIdleMs);
    });
    try {
      return await Promise.race([next, idle]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Moves to `upTo` (or the batch's last event, whichever is later); a position
   * never moves backwards, whatever a store reports. Events are written with
   * their checkpoint in one transaction. A move without events is kept in
   * memory, and written at most once per checkpointIntervalMs and on stop:
   * after a crash it is found again by re-reading events the filter skips.
   */
  private async flush(events: readonly RecordedEvent[], upTo: Position | undefined): Promise<void> {
    const last = events[events.length - 1]?.position;
    const candidates = [upTo, last].filter((p): p is Position => p !== undefined);
    const target = candidates.sort(comparePositions).pop();
    const advances = target !== undefined && (this.position === undefined || comparePositions(target, this.position) > 0);
    const position = advances ? target : this.position;
    if (events.length > 0) {
      await this.write(events, position);
      this.caughtUp = false;
    } else if (Date.now() - this.persistedAt >= this.options.checkpointIntervalMs) {
      await this.write([], position);
    }
    this.position = position;
    if (advances) this.options.onProgress();
  }

  /** Rows and checkpoint in one transaction, if the stored checkpoint is still the one we know. */
  private async write(events: readonly RecordedEvent[], position: Position | undefined): Promise<void> {
    if (events.length === 0 && samePosition(position, this.persisted)) return;
    const name = this.projection.name;
    await this.options.commit({ name, from: this.persisted, to: position, applied: events.length }, async (trx) => {
      if (events.length > 0) await this.projection.apply(trx, events);
    });
    this.persisted = position;
    this.persistedAt = Date.now();
    if (events.length > 0 && this.projection.afterCommit) {
      await this.projection.afterCommit(events).catch((err: Error) => this.options.logger.error('projection: after its commit, a step failed', { projection: name, err: err.message }));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.retryTimer = undefined;
        resolve();
      }, ms);
      this.retryTimer = { timer, resolve };
    });
  }
}
