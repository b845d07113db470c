import { wallClock } from '../clock/index.js';
import { EventEmitter } from 'node:events';
import PgBoss from 'pg-boss';
import type pg from 'pg';
import type { Logger } from 'winston';
import { uuidFromName } from '../eventstore/index.js';

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

/** `retried`: the job was started before (retried after a failure, expired, released at a stop); false only on its first run ever. */
export type JobContext = Readonly<{ jobId: string; queue: string; retried: boolean }>;
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
/** Held while pg-boss's schema and this process's queues are set up. */
const QUEUE_SETUP_LOCK = 'billstream:jobs:setup';

/** A pg-boss worker of this process, and whether it is running a job now. */
type Worker = { id: string | undefined; busy: boolean };

/** What pg-boss reads from a command that changed no job. */
const NOTHING_DONE = { rows: [{ count: '0' }] };

export const createJobs = (options: JobsOptions) => {
  const { pool, logger } = options;
  let stopped = false;
  /** Counts this process's changes to the job table (an enqueue, a fetch, a completion): `changed` waits for the next. */
  let generation = 0;
  const changes = new EventEmitter();
  changes.setMaxListeners(0);
  const changed = () => {
    generation++;
    changes.emit('changed');
  };
  /** pg-boss's statements of this process still running (a fetch, a completion), and jobs its workers are running. */
  let inFlight = 0;
  let running = 0;
  const boss = new PgBoss({
    // Once stopped, a handler that outlived the stop has its late completion dropped: the job was
    // released as a failed attempt, may be running elsewhere, and the pool may be closed.
    db: {
      executeSql: (text, values) => {
        if (stopped) return Promise.resolve(NOTHING_DONE);
        inFlight++;
        return pool.query(text, values).finally(() => {
          inFlight--;
          changed();
        });
      },
    },
    schema: 'pgboss',
    // Cron schedules are node-cron's, under leases (src/scheduler): pg-boss only queues.
    schedule: false,
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 60,
    // A dead job stays in the job table, where it can be retried, for 30 days.
    archiveFailedAfterSeconds: 30 * 86_400,
  });
  boss.on('error', (err) => logger.error('job queue error', { err: err.message }));
  const queues = new Map<string, QueueSpec>();
  /** This process's workers by queue: woken when it enqueues, and after each job, instead of waiting out the polling interval. */
  const workers = new Map<string, { turn: number; list: Worker[] }>();
  /**
   * One idle worker per job, in turn: waking all of them cost an empty fetch
   * from each. A busy one looks again as soon as its job is done, and one
   * woken while it fetches fetches again (pg-boss skips its pause).
   */
  const wake = (queue: string) => {
    const pool = workers.get(queue);
    if (!pool) return;
    for (let i = 0; i < pool.list.length; i++) {
      const worker = pool.list[(pool.turn + i) % pool.list.length]!;
      if (worker.busy || worker.id === undefined) continue;
      pool.turn = (pool.turn + i + 1) % pool.list.length;
      boss.notifyWorker(worker.id);
      return;
    }
  };
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
      // Processes starting together would create the same queues at once, and pg-boss's queue creation
      // (a row, then a partition with a foreign key to it) deadlocks against itself: one at a time.
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock(hashtext($1))', [QUEUE_SETUP_LOCK]);
        await (started ??= boss.start());
        // `busy` is asked at every settle of a simulated clock, and completed jobs stay in the table for hours
        // (a year's simulation leaves 18,000): an index of the unfinished ones (pg-boss has none for active jobs).
        await client.query(`create index if not exists job_unfinished on pgboss.job (name, state, start_after) where state < 'completed'`);
        for (const spec of specs) {
          queues.set(spec.name, spec);
          await createQueue(spec);
        }
      } finally {
        await client.query('select pg_advisory_unlock(hashtext($1))', [QUEUE_SETUP_LOCK]).catch(() => undefined);
        client.release();
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
        if (rowCount === 0) {
          const { rows } = await client.query<{ queue: string; job_id: string }>('select queue, job_id from jobs.job_keys where key = $1', [key]);
          await client.query('commit');
          if (rows[0]!.queue !== queue) throw new Error(`key ${key} was enqueued on ${rows[0]!.queue}, not ${queue}`);
          return { jobId: rows[0]!.job_id, enqueued: false };
        }
        const sent = await boss.send(queue, data, {
          id: jobId,
          db: { executeSql: (text, values) => client.query(text, values) },
          ...(at?.startAfter && { startAfter: at.startAfter }),
        });
        // pg-boss inserts nothing for a queue it does not have, or an id it has: no key without its job.
        if (sent === null) throw new Error(`pg-boss took no job ${jobId} on ${queue}`);
        await client.query('commit');
        changed();
        if (!at?.startAfter || at.startAfter <= wallClock.now()) wake(queue);
        return { jobId, enqueued: true };
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },

    /**
     * Enqueues a job that may run more than once and may be asked for again
     * (a nudge: "drain this endpoint"), with no key: its handler must find its
     * own work, so a duplicate finds none.
     */
    nudge: async <T extends object>(queue: string, data: T): Promise<void> => {
      if (!queues.has(queue)) throw new Error(`no queue ${queue}`);
      await boss.send(queue, data);
      changed();
      wake(queue);
    },

    /**
     * Runs `handler` for each job of `queue` in `concurrency` workers, each one
     * job at a time; a throw fails the attempt (retried, then dead). A worker
     * that found a job looks for the next at once; an idle one polls.
     */
    work: async <T extends object>(queue: string, handler: JobHandler<T>, { concurrency = 1 }: { concurrency?: number } = {}): Promise<void> => {
      const pool = workers.get(queue) ?? { turn: 0, list: [] };
      workers.set(queue, pool);
      for (let i = 0; i < concurrency; i++) {
        // Its id is set once work() answers; a job fetched before then waits out one polling interval after it.
        const worker: Worker = { id: undefined, busy: false };
        pool.list.push(worker);
        worker.id = await boss.work<T>(queue, { batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2, includeMetadata: true }, async ([job]) => {
          worker.busy = true;
          running++;
          try {
            // pg-boss counts a retry when it fetches a job that was started before.
            await handler(job!.data, { jobId: job!.id, queue, retried: job!.retryCount > 0 });
          } finally {
            worker.busy = false;
            running--;
            if (worker.id) boss.notifyWorker(worker.id);
          }
        });
      }
    },

    /**
     * Jobs of these queues that are due or running: what a simulated clock
     * waits for before it moves on. A job waiting out a retry's backoff is
     * not due yet.
     */
    busy: async (names: readonly string[]): Promise<number> => {
      const { rows } = await pool.query<{ n: string }>(
        `select count(*) as n from pgboss.job
          where name = any($1) and state < 'completed' and (state = 'active' or start_after <= now())`,
        [names],
      );
      return Number(rows[0]!.n);
    },

    /**
     * This process is changing the job table now, or is about to: a job of its
     * own running, or pg-boss fetching or completing one. Whatever `busy`
     * counted then would change at once, and `changed` says when.
     */
    working: (): boolean => inFlight > 0 || running > 0,

    /** Where this process's changes to the job table stand: pass it to `changed`. */
    generation: (): number => generation,

    /**
     * Resolves at once if this process changed the job table since
     * `sinceGeneration`, else at its next change or after `timeoutMs` (for
     * changes made by other processes, which this one does not hear of).
     */
    changed: (sinceGeneration: number, timeoutMs: number): Promise<void> => {
      if (generation !== sinceGeneration) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          changes.off('changed', done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        changes.once('changed', done);
      });
    },

    /**
     * Retries a dead job (within the 30 days it stays in the job table): it
     * runs again now, with one more attempt allowed. pg-boss's own retry does
     * the same but keeps the job's completion time, which lets maintenance
     * archive the retried job before it runs; this clears it.
     */
    retry: async (queue: string, jobId: string): Promise<void> => {
      const { rowCount } = await pool.query(
        `update pgboss.job set state = 'retry', retry_limit = retry_limit + 1, completed_on = null, start_after = now()
          where name = $1 and id = $2 and state = 'failed'`,
        [queue, jobId],
      );
      if (rowCount !== 1) throw new Error(`job ${jobId} on ${queue} is not a dead job in the job table (archived after 30 days, or not failed)`);
    },

    /** Expires lost jobs and archives finished ones now, instead of at the next maintenance. */
    maintain: () => boss.maintain(),

    /**
     * Stops taking work, lets a running job finish (up to `timeoutMs`), then
     * stops. A job still running then is released as a failed attempt: retried
     * by whichever worker comes next, or dead if it was its last. (A worker
     * killed outright leaves its job active until it expires, then the same.)
     * Its handler may still run on in this process: what it does then is
     * dropped, so run side effects behind idempotency keys.
     */
    stop: async (timeoutMs = 30_000): Promise<void> => {
      if (!started || stopped) return;
      await boss.stop({ graceful: true, wait: true, timeout: timeoutMs });
      stopped = true;
    },
  };
};

export type Jobs = ReturnType<typeof createJobs>;

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type JobTables = {
  'jobs.job_keys': JobKeysTable;
};
