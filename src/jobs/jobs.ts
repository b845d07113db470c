import PgBoss from 'pg-boss';
import type pg from 'pg';
import type { Logger } from 'winston';
import { uuidFromName } from '../eventstore/eventIds.js';

export type JobKeysTable = { key: string; queue: string; job_id: string; enqueued_at: Date | string };

/** A queue and how its jobs are retried: `retryLimit` retries after the first attempt, the delay doubling from `retryDelaySeconds`. */
export type QueueSpec = Readonly<{
  name: string;
  retryLimit: number;
  retryDelaySeconds: number;
  /** A job running longer is taken as lost (its worker crashed or hung) and retried. */
  expireInSeconds: number;
}>;

/** Where a queue's jobs go once their retries are spent: kept for an operator to read and retry. */
export const deadLetterOf = (queue: string): string => `${queue}.dead`;

export type JobContext = Readonly<{ jobId: string; queue: string }>;
export type JobHandler<T> = (data: T, job: JobContext) => Promise<void>;

export type JobsOptions = Readonly<{
  pool: pg.Pool;
  logger: Logger;
  /** How often an idle worker looks for work (pg-boss polls). */
  pollingIntervalSeconds?: number;
  /** How often pg-boss's maintenance expires lost jobs and archives finished ones. */
  maintenanceIntervalSeconds?: number;
}>;

/**
 * Side effects as pg-boss jobs in the application's PostgreSQL: retries with
 * exponential backoff, dead-lettering, expiry of lost jobs, graceful stop.
 *
 * Enqueueing is idempotent by a key naming what the job is for (an invoice
 * and an attempt, a notice): the key is recorded in `jobs.job_keys` in the
 * same transaction as the job, so the same key enqueues one job, ever, even
 * after pg-boss has archived and deleted it.
 */
export const createJobs = (options: JobsOptions) => {
  const { pool, logger } = options;
  const boss = new PgBoss({
    db: { executeSql: (text, values) => pool.query(text, values) },
    schema: 'pgboss',
    // Cron schedules are node-cron's, under leases (src/scheduler): pg-boss only queues.
    schedule: false,
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 60,
  });
  boss.on('error', (err) => logger.error('job queue error', { err: err.message }));
  const queues = new Map<string, QueueSpec>();
  let started: Promise<unknown> | undefined;

  const createQueue = async (spec: QueueSpec) => {
    const dead = deadLetterOf(spec.name);
    for (const name of [dead, spec.name]) {
      const settings = {
        name,
        retryLimit: name === dead ? 0 : spec.retryLimit,
        retryDelay: spec.retryDelaySeconds,
        retryBackoff: true,
        expireInSeconds: spec.expireInSeconds,
        ...(name === spec.name && { deadLetter: dead }),
      };
      if (await boss.getQueue(name)) await boss.updateQueue(name, settings);
      else await boss.createQueue(name, settings);
    }
  };

  return {
    /** Installs or migrates pg-boss's schema, and creates or updates the queues. */
    start: async (specs: readonly QueueSpec[]): Promise<void> => {
      await (started ??= boss.start());
      for (const spec of specs) {
        queues.set(spec.name, spec);
        await createQueue(spec);
      }
    },

    /**
     * Enqueues once per key: a second call with the same key (a retried
     * command, a second instance) answers the first job's id and adds none.
     */
    enqueue: async <T extends object>(queue: string, key: string, data: T, at?: { startAfter?: Date }): Promise<{ jobId: string; enqueued: boolean }> => {
      if (!queues.has(queue)) throw new Error(`no queue ${queue}`);
      const jobId = uuidFromName(`job:${queue}:${key}`);
      const client = await pool.connect();
      try {
        await client.query('begin');
        const { rowCount } = await client.query('insert into jobs.job_keys (key, queue, job_id) values ($1, $2, $3) on conflict (key) do nothing', [
          key,
          queue,
          jobId,
        ]);
        if (rowCount === 1) {
          await boss.send(queue, data, {
            id: jobId,
            db: { executeSql: (text, values) => client.query(text, values) },
            ...(at?.startAfter && { startAfter: at.startAfter }),
          });
        }
        await client.query('commit');
        return { jobId, enqueued: rowCount === 1 };
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },

    /** Runs `handler` for each job of `queue`, one at a time per worker; a throw fails the attempt (retried, then dead). */
    work: async <T extends object>(queue: string, handler: JobHandler<T>): Promise<void> => {
      await boss.work<T>(queue, { batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2 }, async ([job]) => {
        await handler(job!.data, { jobId: job!.id, queue });
      });
    },

    /** Retries a dead job: it runs again with one more attempt allowed. */
    retry: async (queue: string, jobId: string): Promise<void> => {
      await boss.retry(queue, jobId);
    },

    /** Expires lost jobs and archives finished ones now, instead of at the next maintenance. */
    maintain: () => boss.maintain(),

    /**
     * Stops taking work, lets a running job finish (up to `timeoutMs`), then
     * stops. A job still running then is released as a failed attempt, retried
     * by whichever worker comes next: never lost, at worst run again. (A
     * worker killed outright leaves its job active until it expires, then the
     * same.)
     */
    stop: async (timeoutMs = 30_000): Promise<void> => {
      if (!started) return;
      await boss.stop({ graceful: true, wait: true, timeout: timeoutMs });
    },
  };
};

export type Jobs = ReturnType<typeof createJobs>;
