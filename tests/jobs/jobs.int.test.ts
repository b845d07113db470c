import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobs, deadLetterOf, type Jobs, type QueueSpec } from '../../src/jobs/jobs.js';
import { getJob, listJobs } from '../../src/jobs/view.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/**
 * The job machinery on real pg-boss in a real PostgreSQL: idempotent
 * enqueueing, retries, dead jobs an operator retries, and a graceful stop.
 * Workers poll every second; every wait is expect.poll on the job view.
 */
let database: TestDatabase;
let jobs: Jobs;

const QUEUE: QueueSpec = { name: 'test-effects', retryLimit: 2, retryDelaySeconds: 1, expireInSeconds: 60 };
const ONCE: QueueSpec = { name: 'test-once', retryLimit: 0, retryDelaySeconds: 1, expireInSeconds: 60 };
const SLOW: QueueSpec = { name: 'test-slow', retryLimit: 1, retryDelaySeconds: 1, expireInSeconds: 60 };
const WAITED: QueueSpec = { name: 'test-waited', retryLimit: 0, retryDelaySeconds: 1, expireInSeconds: 60 };

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 10 });
  jobs = createJobs({ pool: database.pool, logger: createSilentLogger(), pollingIntervalSeconds: 0.5 });
  await jobs.start([QUEUE, ONCE, SLOW, WAITED]);
});
afterAll(async () => {
  await jobs?.stop(1_000);
  await database?.close();
});

const view = (jobId: string) => getJob(database.db, jobId);

describe('starting', () => {
  it('starts processes at once on a database without queues, each creating or finding them', async () => {
    // pg-boss's queue creation deadlocks against a second one running at once (40P01) unless they take turns.
    for (let round = 0; round < 3; round++) {
      const fresh = await createTestDatabase({ poolSize: 6 });
      const starting = [0, 1, 2].map(() => createJobs({ pool: fresh.pool, logger: createSilentLogger() }));
      try {
        const started = await Promise.allSettled(starting.map((j) => j.start([QUEUE, ONCE, SLOW])));
        expect(started.filter((s) => s.status === 'rejected').map((s) => String((s as PromiseRejectedResult).reason))).toEqual([]);
        await expect(starting[0]!.enqueue(QUEUE.name, `k${round}`, {})).resolves.toMatchObject({ enqueued: true });
      } finally {
        for (const j of starting) await j.stop(1_000);
        await fresh.close();
      }
    }
  });
});

describe('enqueueing', () => {
  it('enqueues one job per key, however often and however concurrently it is asked', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => jobs.enqueue(QUEUE.name, 'invoice:inv_1:attempt:1', { invoiceId: 'inv_1' })));
    expect(new Set(answers.map((a) => a.jobId)).size).toBe(1);
    expect(answers.filter((a) => a.enqueued)).toHaveLength(1);
    const listed = await listJobs(database.db, { queue: QUEUE.name, limit: 100 });
    expect(listed.map((j) => j.jobId)).toEqual([answers[0]!.jobId]);
    expect(listed[0]).toMatchObject({ state: 'PENDING', attempts: 0, maxAttempts: 3, data: { invoiceId: 'inv_1' } });
  });

  it('enqueues nothing for a key once its job is gone from pg-boss (archived, then deleted)', async () => {
    const first = await jobs.enqueue(QUEUE.name, 'notice:payment_failed_immediate:inv_9', {});
    // What pg-boss's maintenance does to old jobs, done now: out of the job table, and out of the archive.
    await database.pool.query('delete from pgboss.job where id = $1', [first.jobId]);
    await database.pool.query('delete from pgboss.archive where id = $1', [first.jobId]);
    const again = await jobs.enqueue(QUEUE.name, 'notice:payment_failed_immediate:inv_9', {});
    expect(again).toEqual({ jobId: first.jobId, enqueued: false });
    expect(await view(first.jobId)).toBeUndefined();
  });

  it('refuses a key already used on another queue', async () => {
    await jobs.enqueue(QUEUE.name, 'shared-key', {});
    await expect(jobs.enqueue(ONCE.name, 'shared-key', {})).rejects.toThrow(/was enqueued on test-effects/);
  });

  it('refuses a queue it does not know', async () => {
    await expect(jobs.enqueue('no-such-queue', 'k', {})).rejects.toThrow(/no queue/);
  });
});

describe('running', () => {
  it('retries a failing job with backoff, shows it FAILED with its error between attempts, then COMPLETED', async () => {
    const seen: number[] = [];
    const { jobId } = await jobs.enqueue(QUEUE.name, 'flaky:1', { fail: 2 });
    await jobs.work<{ fail: number }>(QUEUE.name, async (data, job) => {
      if (job.jobId !== jobId) return;
      seen.push(Date.now());
      if (seen.length <= data.fail) throw new Error(`attempt ${seen.length} failed`);
    });
    await expect.poll(async () => (await view(jobId))?.state, { timeout: 10_000 }).toBe('FAILED');
    const failed = (await view(jobId))!;
    expect(failed).toMatchObject({ attempts: 1, lastError: 'attempt 1 failed' });
    expect(failed.nextRunAt!.getTime()).toBeGreaterThan(failed.createdAt.getTime());
    await expect.poll(async () => (await view(jobId))?.state, { timeout: 20_000 }).toBe('COMPLETED');
    expect(await view(jobId)).toMatchObject({ attempts: 3, lastError: null, nextRunAt: null });
    expect(seen).toHaveLength(3);
  }, 30_000);

  it('shows a job whose retries are spent as DEAD with its last error, keeps a copy in the dead-letter queue, and runs it again on retry', async () => {
    let healthy = false;
    const { jobId } = await jobs.enqueue(ONCE.name, 'doomed:1', { n: 1 });
    await jobs.work(ONCE.name, async () => {
      if (!healthy) throw new Error('gateway unreachable');
    });
    await expect.poll(async () => (await view(jobId))?.state, { timeout: 10_000 }).toBe('DEAD');
    expect(await view(jobId)).toMatchObject({ attempts: 1, maxAttempts: 1, lastError: 'gateway unreachable' });
    expect((await listJobs(database.db, { state: 'DEAD', limit: 100 })).map((j) => j.jobId)).toContain(jobId);
    const letters = await listJobs(database.db, { queue: deadLetterOf(ONCE.name), limit: 100 });
    expect(letters.map((j) => j.data)).toEqual([{ n: 1 }]);
    // The dead-letter queue's copies stay out of the default view: the original already shows.
    expect((await listJobs(database.db, { limit: 100 })).some((j) => j.queue === deadLetterOf(ONCE.name))).toBe(false);

    healthy = true;
    await jobs.retry(ONCE.name, jobId);
    await expect.poll(async () => (await view(jobId))?.state, { timeout: 10_000 }).toBe('COMPLETED');
    expect(await view(jobId)).toMatchObject({ attempts: 2, maxAttempts: 2 });
  }, 30_000);

  it('lets a running job finish when it stops, and takes no more work', async () => {
    const separate = createJobs({ pool: database.pool, logger: createSilentLogger(), pollingIntervalSeconds: 0.5 });
    await separate.start([SLOW]);
    let release!: () => void;
    const running = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    const { jobId } = await separate.enqueue(SLOW.name, 'slow:1', {});
    await separate.work(SLOW.name, async () => {
      started += 1;
      await running;
    });
    await expect.poll(async () => (await view(jobId))?.state, { timeout: 10_000 }).toBe('RUNNING');
    // Waiting behind the running one (one job at a time per worker).
    const { jobId: waiting } = await separate.enqueue(SLOW.name, 'slow:2', {});
    let stopped = false;
    const stopping = separate.stop(10_000).then(() => (stopped = true));
    // Still running: the stop waits for it.
    await expect.poll(async () => (await view(jobId))?.state).toBe('RUNNING');
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(await view(jobId)).toMatchObject({ state: 'COMPLETED', attempts: 1 });
    expect(await view(waiting)).toMatchObject({ state: 'PENDING', attempts: 0 });
    expect(started).toBe(1);
  }, 30_000);

  it('releases a job still running when the stop times out, and drops what its handler does later', async () => {
    const QUICK: QueueSpec = { name: 'test-stop-timeout', retryLimit: 1, retryDelaySeconds: 1, expireInSeconds: 60 };
    const first = createJobs({ pool: database.pool, logger: createSilentLogger(), pollingIntervalSeconds: 0.5 });
    await first.start([QUICK]);
    let releaseFirst!: () => void;
    const firstRun = new Promise<void>((resolve) => (releaseFirst = resolve));
    const { jobId } = await first.enqueue(QUICK.name, 'hang:1', {});
    await first.work(QUICK.name, () => firstRun);
    await expect.poll(async () => (await view(jobId))?.state, { timeout: 10_000 }).toBe('RUNNING');
    await first.stop(1_000);
    expect(await view(jobId)).toMatchObject({ state: 'FAILED', attempts: 1, lastError: 'pg-boss shut down while active' });

    // Another worker takes the retry; the first handler then ends: its late completion must not mark the second run done.
    const second = createJobs({ pool: database.pool, logger: createSilentLogger(), pollingIntervalSeconds: 0.5 });
    await second.start([QUICK]);
    let releaseSecond!: () => void;
    const secondRun = new Promise<void>((resolve) => (releaseSecond = resolve));
    let secondStarted = false;
    await second.work(QUICK.name, () => ((secondStarted = true), secondRun));
    await expect.poll(async () => secondStarted && (await view(jobId))?.state, { timeout: 10_000 }).toBe('RUNNING');
    releaseFirst();
    await expect.poll(async () => (await view(jobId))?.state, { timeout: 2_000, interval: 200 }).toBe('RUNNING');
    expect(await view(jobId)).toMatchObject({ state: 'RUNNING', attempts: 2 });
    releaseSecond();
    await expect.poll(async () => (await view(jobId))?.state, { timeout: 10_000 }).toBe('COMPLETED');
    await second.stop(1_000);
  }, 30_000);

  it('retries only a dead job, and shows one pg-boss archived unrun as DEAD', async () => {
    const { jobId } = await jobs.enqueue(SLOW.name, 'never-run:1', {});
    await expect(jobs.retry(SLOW.name, jobId)).rejects.toThrow(/not a dead job/);
    // What pg-boss's maintenance does to a job that waited past its retention: into the archive, unrun.
    await database.pool.query('insert into pgboss.archive (select j.*, now() from pgboss.job j where j.id = $1)', [jobId]);
    await database.pool.query('delete from pgboss.job where id = $1', [jobId]);
    expect(await view(jobId)).toMatchObject({ state: 'DEAD', attempts: 0, lastError: 'expired before it ran' });
  });
});

describe('what a simulated clock waits for', () => {
  it('counts the jobs due or running, not those waiting for their time nor those done', async () => {
    const busy = () => jobs.busy([WAITED.name]);
    expect(await busy()).toBe(0);
    await jobs.enqueue(WAITED.name, 'later', {}, { startAfter: new Date(Date.now() + 3_600_000) });
    expect(await busy()).toBe(0);
    await jobs.enqueue(WAITED.name, 'now', {});
    expect(await busy()).toBe(1);
    let release = () => {};
    const running = new Promise<void>((resolve) => (release = resolve));
    let started = false;
    await jobs.work(WAITED.name, async () => {
      started = true;
      await running;
    });
    await expect.poll(() => started).toBe(true);
    // Fetched: running, still counted.
    expect(await busy()).toBe(1);
    release();
    await expect.poll(busy).toBe(0);
  });
});
