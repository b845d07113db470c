import { InternalError } from '../../domain/shared/index.js';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'winston';
import type { Db } from '../../db/index.js';
import { acquireLease, DEFAULT_LEASE_TTL_MS, releaseLease, renewLease, type Lease } from './lease.js';
import type { Trigger } from './scheduler.js';
import type { DueWhen } from './dueRows.js';

export type LeaseLossReason = 'taken over' | 'expired';

/** The run's lease is gone: another instance may be running the trigger now. */
/** Internal: a sweep treats a ConflictError as a refused row and goes on; a lost lease must stop the run. */
export class LeaseLostError extends InternalError {
  constructor(
    readonly lease: Lease,
    readonly loss: LeaseLossReason,
  ) {
    super('scheduler.lease_lost', `scheduler lease ${lease.name} (fencing ${lease.fencing}) lost: ${loss}`, { lease: lease.name, loss });
  }
}

/** What a leased trigger's run is given. */
export type LeasedRun = Readonly<{
  /** Aborted when the scheduler stops, or when the lease is lost (its reason is then a LeaseLostError). */
  signal: AbortSignal;
  /** This run's grant. Its fencing token is larger than that of every earlier run, on any instance. */
  lease: Lease;
  /** False once the lease is lost: a renewal found it taken over, or the TTL passed without a renewal. */
  stillHolding: () => boolean;
  /** Throws LeaseLostError once the lease is lost. Called before each batch, it bounds the work done without the lease to one batch. */
  assertHolding: () => void;
}>;

export type LeasedTrigger = Readonly<{
  name: string;
  /** node-cron expression, evaluated in UTC. */
  schedule: string;
  run: (run: LeasedRun) => Promise<void>;
  dueWhen?: DueWhen;
}>;

export type TriggerLeaseOptions = Readonly<{
  db: Db;
  logger: Logger;
  /** This instance, as scheduler.leases names it: one leaseHolderId() per process. */
  holder: string;
  /** How long a lease outlives its holder's last renewal; renewed every third of it. */
  ttlMs?: number;
}>;

type Keeper = Readonly<{
  signal: AbortSignal;
  stillHolding: () => boolean;
  lost: () => boolean;
  finish: () => Promise<void>;
}>;

/**
 * Renews the lease every ttl/3 while the run lasts. The lease is lost when a
 * renewal finds it taken over, or when the TTL has passed since the last
 * renewal that succeeded (the database unreachable, the process paused): both
 * abort the signal. The TTL is counted on this process's monotonic clock from
 * when each renewal was sent, before the database's `now()` set the new
 * expiry, so this process gives the lease up no later than the database does.
 */
const keepLease = (db: Db, logger: Logger, lease: Lease, ttlMs: number, grantedAt: number): Keeper => {
  const controller = new AbortController();
  const meta = { trigger: lease.name, fencing: String(lease.fencing) };
  let validUntil = grantedAt + ttlMs;
  let finished = false;
  let renewing: Promise<void> = Promise.resolve();
  let renewTimer: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;

  const lose = (reason: LeaseLossReason) => {
    if (controller.signal.aborted || finished) return;
    clearTimeout(renewTimer);
    clearTimeout(deadline);
    logger.warn('scheduler lease lost: the run stops', { ...meta, reason });
    controller.abort(new LeaseLostError(lease, reason));
  };
  const armDeadline = () => {
    clearTimeout(deadline);
    deadline = setTimeout(() => lose('expired'), Math.max(0, validUntil - performance.now())).unref();
  };
  const renew = async () => {
    const sentAt = performance.now();
    try {
      if (!(await renewLease(db, lease, ttlMs))) lose('taken over');
      else if (!controller.signal.aborted) {
        validUntil = sentAt + ttlMs;
        armDeadline();
      }
    } catch (err) {
      // Not lost yet: the next renewal may get through before the deadline.
      logger.warn('scheduler lease renewal failed', { ...meta, err: err instanceof Error ? err.message : String(err) });
    }
    scheduleRenewal();
  };
  const scheduleRenewal = () => {
    if (finished || controller.signal.aborted) return;
    renewTimer = setTimeout(() => void (renewing = renew()), ttlMs / 3).unref();
  };
  armDeadline();
  scheduleRenewal();

  const stillHolding = () => {
    if (finished) return false;
    // The timer may be late behind a busy event loop; the clock is not.
    if (!controller.signal.aborted && performance.now() >= validUntil) lose('expired');
    return !controller.signal.aborted;
  };
  return {
    signal: controller.signal,
    stillHolding,
    lost: () => controller.signal.aborted,
    finish: async () => {
      finished = true;
      clearTimeout(renewTimer);
      clearTimeout(deadline);
      await renewing;
      try {
        // Tried even when lost here: a renewal may have succeeded after the local deadline. It only matches this grant.
        await releaseLease(db, lease);
      } catch (err) {
        logger.warn('scheduler lease release failed: it lapses after its TTL', {
          ...meta,
          err: err instanceof Error ? err.message : String(err),
        });
      }
    },
  };
};

/**
 * The trigger run by one instance at a time. On each firing it takes the
 * lease, or skips the firing while another instance holds it. The run gets an
 * AbortSignal and stillHolding()/assertHolding(). When it ends the lease is
 * released, so the next firing on any instance may take it at once (a
 * blue-green switch does not wait for the TTL); which instance that is does
 * not matter, and the fencing token still grows from run to run.
 */
export const leasedTrigger = (trigger: LeasedTrigger, options: TriggerLeaseOptions): Trigger => {
  const { db, logger, holder, ttlMs = DEFAULT_LEASE_TTL_MS } = options;
  return {
    name: trigger.name,
    schedule: trigger.schedule,
    ...(trigger.dueWhen && { dueWhen: trigger.dueWhen }),
    run: async (stop) => {
      if (stop.aborted) return;
      const grantedAt = performance.now();
      const lease = await acquireLease(db, trigger.name, holder, ttlMs);
      if (!lease) {
        logger.debug('trigger skipped: its lease is held by another run', { trigger: trigger.name });
        return;
      }
      const keeper = keepLease(db, logger, lease, ttlMs, grantedAt);
      const assertHolding = () => {
        if (!keeper.stillHolding()) throw keeper.signal.reason as LeaseLostError;
      };
      try {
        await trigger.run({ signal: AbortSignal.any([stop, keeper.signal]), lease, stillHolding: keeper.stillHolding, assertHolding });
      } catch (err) {
        // Stopping or a lost lease ends a run early by design; anything else is the trigger's failure.
        if (!keeper.lost() && !stop.aborted) throw err;
        logger.info('trigger run ended early', {
          trigger: trigger.name,
          fencing: String(lease.fencing),
          because: keeper.lost() ? 'lease lost' : 'stopping',
          err: err instanceof Error ? err.message : String(err),
        });
      } finally {
        await keeper.finish();
      }
    },
  };
};
