import { afterAll, beforeAll, expect, it } from 'vitest';
import { COLLECTION_QUEUES, createNotices, NOTICES, noticeKey, type NoticeJob } from '../../src/application/collection/index.js';
import { createPostgresEventStore, type PostgresEventStore } from '../../src/eventstore/index.js';
import { createJobs, type JobContext, type Jobs } from '../../src/jobs/index.js';
import { getJob } from '../../src/jobs/view.js';
import { createSilentLogger } from '../../src/logger/index.js';
import type { Mailer } from '../../src/application/notice/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { aRegisteredSubscription } from '../support/registeredSubscription.js';

/**
 * A notice job's first run sends without asking whether it was sent (nothing
 * could have been: one job per key, ever); a run after that asks first. Here
 * the first run sends and records its notice, then loses its completion (it
 * throws, as a crash before pg-boss hears of it would), and pg-boss runs the
 * job again: the customer gets one message.
 */
const AT = new Date('2026-03-01T06:00:00.000Z');

let database: TestDatabase;
let store: PostgresEventStore;
let jobs: Jobs;
const sent: string[] = [];
const runs: JobContext[] = [];

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 6 });
  store = createPostgresEventStore({ pool: database.pool });
  jobs = createJobs({ pool: database.pool, logger: createSilentLogger(), pollingIntervalSeconds: 0.5 });
  await jobs.start(COLLECTION_QUEUES);
});
afterAll(async () => {
  await jobs?.stop(1_000);
  await store?.close();
  await database?.close();
});

it('sends a notice once when the run that sent it lost its completion and the job runs again', async () => {
  const mailer: Mailer = {
    send: async (message) => {
      sent.push(message.messageId);
      return { messageId: message.messageId };
    },
  };
  const notices = createNotices({ db: database.db, store, clock: { now: () => AT }, jobs, mailer, mailFrom: 'billing@example.org' });
  await jobs.work<NoticeJob>(NOTICES.name, async (job, context) => {
    runs.push(context);
    await notices.run(job, context);
    if (runs.length === 1) throw new Error('completion lost');
  });
  const job: NoticeJob = { name: 'subscription_created', subscriptionId: await aRegisteredSubscription(store, AT, 1) };
  const { jobId } = await notices.request(job);
  await expect.poll(() => runs.length, { timeout: 10_000 }).toBe(1);
  await expect.poll(async () => (await getJob(database.db, jobId))?.state, { timeout: 10_000 }).toBe('FAILED');
  // The retry's backoff (30 s and more) passes.
  await database.pool.query(`update pgboss.job set start_after = now() where id = $1 and state = 'retry'`, [jobId]);
  await expect.poll(async () => (await getJob(database.db, jobId))?.state, { timeout: 10_000 }).toBe('COMPLETED');

  expect(runs.map((r) => r.retried)).toEqual([false, true]);
  expect(sent).toHaveLength(1);
  const rows = await database.db.selectFrom('collections.notices_sent').select('message_id').where('key', '=', noticeKey(job)).execute();
  expect(rows.map((r) => r.message_id)).toEqual(sent);
});
