import { afterAll, beforeAll, expect, it } from 'vitest';
import { createJobs, type Jobs, type QueueSpec } from '../../src/jobs/jobs.js';
import { getJob } from '../../src/jobs/view.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/** `billstream jobs list|show|retry` against real pg-boss: a dead job is shown, and `jobs retry` brings it back. */
let database: TestDatabase;
let jobs: Jobs;
const QUEUE: QueueSpec = { name: 'cli-effects', retryLimit: 0, retryDelaySeconds: 1, expireInSeconds: 60 };

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await jobs?.stop(1_000);
  await database?.close();
});

const cli = (...args: string[]) => runCli(args, { databaseUrl: database.url });

it('shows no jobs before any worker has installed the queue', async () => {
  const run = await cli('jobs', 'list');
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout.trim()).toBe('no jobs');
});

it('lists a dead job with its error, shows it, refuses to retry a live one, and retries the dead one', async () => {
  jobs = createJobs({ pool: database.pool, logger: createSilentLogger(), pollingIntervalSeconds: 0.5 });
  await jobs.start([QUEUE]);
  let healthy = false;
  await jobs.work(QUEUE.name, async () => {
    if (!healthy) throw new Error('mail server down');
  });
  const { jobId } = await jobs.enqueue(QUEUE.name, 'notice:1', { notice: 'payment_failed_immediate' });
  await expect.poll(async () => (await getJob(database.db, jobId))?.state, { timeout: 10_000 }).toBe('DEAD');

  const listed = await cli('jobs', 'list', '--state', 'dead');
  expect(listed.code, listed.stderr).toBe(0);
  expect(listed.stdout.trim()).toBe(`${jobId}  ${QUEUE.name}  DEAD  attempts 1/1  error: mail server down`);
  const shown = await cli('jobs', 'show', jobId);
  expect(JSON.parse(shown.stdout)).toMatchObject({ jobId, state: 'DEAD', lastError: 'mail server down', data: { notice: 'payment_failed_immediate' } });
  expect((await cli('jobs', 'list', '--state', 'WAITING')).code).not.toBe(0);

  healthy = true;
  const { jobId: live } = await jobs.enqueue(QUEUE.name, 'notice:2', {});
  await expect.poll(async () => (await getJob(database.db, live))?.state, { timeout: 10_000 }).toBe('COMPLETED');
  const refused = await cli('jobs', 'retry', live);
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain('only a DEAD job is retried');

  const retried = await cli('jobs', 'retry', jobId);
  expect(retried.code, retried.stderr).toBe(0);
  expect(retried.stdout).toContain(`retried ${jobId} (${QUEUE.name})`);
  await expect.poll(async () => (await getJob(database.db, jobId))?.state, { timeout: 10_000 }).toBe('COMPLETED');
  expect((await cli('jobs', 'show', 'not-a-job')).code).not.toBe(0);
}, 60_000);
