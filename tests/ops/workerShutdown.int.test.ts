import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { COLLECTION_QUEUES, createNotices, noticeKey, type NoticeJob, type Notices } from '../../src/application/collection/index.js';
import { createPostgresEventStore, type PostgresEventStore } from '../../src/eventstore/index.js';
import { createJobs, type Jobs } from '../../src/jobs/jobs.js';
import { getJob } from '../../src/jobs/view.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { messageIdFor, type Mailer } from '../../src/application/notice/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { aRegisteredSubscription } from '../support/registeredSubscription.js';
import { startSmtpGate, type SmtpGate } from '../support/smtpGate.js';
import { WORKER_READY, workerProcesses } from '../support/workerProcess.js';

/**
 * Graceful shutdown of a `--role worker` process in the middle of a job: a
 * subscription_created notice its process manager asks for, held inside its
 * SMTP send (the test server leaves its MAIL FROM unanswered) for as long as
 * the test likes. SIGTERM then, and see what the process does with the job
 * it is running and with work that arrives after the signal.
 */
const AT = new Date('2026-03-01T06:00:00.000Z');
const MAIL_FROM = 'billing@example.org';

let database: TestDatabase;
let store: PostgresEventStore;
let smtp: SmtpGate;
let jobs: Jobs;
let requester: Notices;
let workers: Awaited<ReturnType<typeof workerProcesses>>;

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 6 });
  store = createPostgresEventStore({ pool: database.pool });
  smtp = await startSmtpGate();
  workers = await workerProcesses(database.url);
  // This process only asks for notices; its queues are the workers' own.
  jobs = createJobs({ pool: database.pool, logger: createSilentLogger() });
  await jobs.start(COLLECTION_QUEUES);
  const unused: Mailer = { send: () => Promise.reject(new Error('this process sends nothing')) };
  requester = createNotices({ db: database.db, store, clock: { now: () => AT }, jobs, mailer: unused, mailFrom: MAIL_FROM });
});
afterEach(async () => {
  await workers.killAll();
  smtp.release();
});
afterAll(async () => {
  await workers?.close();
  await jobs?.stop(1_000);
  await smtp?.close();
  await store?.close();
  await database?.close();
});

const jobOf = async (notice: NoticeJob) =>
  (await database.db.selectFrom('jobs.job_keys').select('job_id').where('key', '=', noticeKey(notice)).executeTakeFirstOrThrow()).job_id;
const view = (jobId: string) => getJob(database.db, jobId);
const sentRows = async (notice: NoticeJob) =>
  (await database.db.selectFrom('collections.notices_sent').select('message_id').where('key', '=', noticeKey(notice)).execute()).map((r) => r.message_id);

/** A worker holding one notice job inside its send; the notice and its job. */
const aWorkerInsideASend = async (env: Record<string, string>, n: number) => {
  smtp.hold();
  const worker = workers.start({ SMTP_URL: smtp.url, MAIL_FROM, ...env });
  const notice: NoticeJob = { name: 'subscription_created', subscriptionId: await aRegisteredSubscription(store, AT, n) };
  await expect.poll(() => smtp.held(), { timeout: 30_000 }).toEqual([MAIL_FROM]);
  const jobId = await jobOf(notice);
  expect(await view(jobId)).toMatchObject({ state: 'RUNNING', attempts: 1 });
  return { worker, notice, jobId, messageId: messageIdFor(noticeKey(notice), MAIL_FROM) };
};

it('on SIGTERM takes no new work, lets the running job finish, and exits 0', async () => {
  // One notice worker, busy: nothing else of this process could take the later job before the signal.
  const { worker, notice, jobId, messageId } = await aWorkerInsideASend({ WORKER_CONCURRENCY: '1', SHUTDOWN_TIMEOUT_MS: '60000' }, 1);

  worker.child.kill('SIGTERM');
  // Logged on the way into jobs.stop, which stops the workers (pg-boss marks them stopping) before this process does any more I/O.
  await expect.poll(() => worker.logged('shutting down: no new requests'), { timeout: 10_000 }).toBe(true);
  // Due now, on the queue the worker runs: it would take it next, were it not stopping.
  const later: NoticeJob = { name: 'trial_will_end', subscriptionId: notice.subscriptionId, trialEnd: AT.toISOString() };
  const { jobId: laterId } = await requester.request(later);
  smtp.release();

  expect(await worker.exit, worker.output()).toBe(0);
  expect(worker.logged('shutdown complete')).toBe(true);
  expect(worker.logged('shutdown timed out')).toBe(false);
  expect(await view(jobId)).toMatchObject({ state: 'COMPLETED', attempts: 1, lastError: null });
  expect(smtp.count(messageId)).toBe(1);
  expect(await sentRows(notice)).toEqual([messageId]);
  expect(await view(laterId)).toMatchObject({ state: 'PENDING', attempts: 0 });
});

it('releases a job that outlasts the stop timeout as a failed attempt, which the next worker completes, once', async () => {
  // A running job gets half the shutdown's time: 3 s here.
  const { worker, notice, jobId, messageId } = await aWorkerInsideASend({ SHUTDOWN_TIMEOUT_MS: '6000' }, 2);

  worker.child.kill('SIGTERM');
  expect(await worker.exit, worker.output()).toBe(0);
  expect(worker.logged('shutdown complete')).toBe(true);
  expect(await view(jobId)).toMatchObject({ state: 'FAILED', attempts: 1, lastError: 'pg-boss shut down while active' });
  // Its SMTP session ended with it, before any message: nothing delivered, nothing recorded.
  await expect.poll(() => smtp.held(), { timeout: 10_000 }).toEqual([]);
  expect(smtp.count(messageId)).toBe(0);
  expect(await sentRows(notice)).toEqual([]);

  smtp.release();
  // The retry's backoff (30 to 60 s for the first) passes.
  await database.pool.query(`update pgboss.job set start_after = now() where id = $1 and state = 'retry'`, [jobId]);
  const next = workers.start({ SMTP_URL: smtp.url, MAIL_FROM });
  await expect.poll(() => next.logged(WORKER_READY), { timeout: 30_000 }).toBe(true);
  await expect.poll(async () => (await view(jobId))?.state, { timeout: 30_000 }).toBe('COMPLETED');
  expect(await view(jobId)).toMatchObject({ attempts: 2, lastError: null });
  expect(smtp.count(messageId)).toBe(1);
  expect(await sentRows(notice)).toEqual([messageId]);

  next.child.kill('SIGTERM');
  expect(await next.exit, next.output()).toBe(0);
});
