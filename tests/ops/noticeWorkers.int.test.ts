import { afterAll, beforeAll, expect, it } from 'vitest';
import { COLLECTION_QUEUES, createNotices, NOTICES, noticeKey, type NoticeJob } from '../../src/application/collection/index.js';
import { createPostgresEventStore, type PostgresEventStore } from '../../src/eventstore/index.js';
import { createJobs, type Jobs } from '../../src/jobs/jobs.js';
import { listJobs } from '../../src/jobs/view.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { messageIdFor, type Mailer } from '../../src/application/notice/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { aRegisteredSubscription } from '../support/registeredSubscription.js';
import { startSmtpGate, type SmtpGate } from '../support/smtpGate.js';
import { WORKER_READY, workerProcesses } from '../support/workerProcess.js';

/**
 * Notices sent exactly once by two `--role worker` processes sending through
 * a real SMTP server: 50 subscriptions are created, so the workers' process
 * managers ask for 50 subscription_created notices, and this test asks for
 * every other one again meanwhile. Each worker sends from its own envelope address on
 * one domain, so Message-IDs (derived from the notice's key and the domain)
 * are the same whichever sends, and the envelope tells who did. The SMTP
 * server holds every MAIL FROM until both workers are waiting in it: the
 * first cannot send everything before the second has started.
 */
const AT = new Date('2026-03-01T06:00:00.000Z');
const SUBSCRIPTIONS = 50;
const DOMAIN = 'example.org';
const SENDERS = [`worker-a@${DOMAIN}`, `worker-b@${DOMAIN}`];

let database: TestDatabase;
let store: PostgresEventStore;
let smtp: SmtpGate;
let jobs: Jobs;
let workers: Awaited<ReturnType<typeof workerProcesses>>;

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 6 });
  store = createPostgresEventStore({ pool: database.pool });
  smtp = await startSmtpGate();
  workers = await workerProcesses(database.url);
});
afterAll(async () => {
  await workers?.close();
  await jobs?.stop(1_000);
  smtp?.release();
  await smtp?.close();
  await store?.close();
  await database?.close();
});

it('sends each notice once through SMTP from two worker processes, however often it is asked for', async () => {
  // This process asks for notices too (half of them twice), as a client of the queues; it sets them up first.
  jobs = createJobs({ pool: database.pool, logger: createSilentLogger() });
  await jobs.start(COLLECTION_QUEUES);
  smtp.hold();
  const started = SENDERS.map((from) => workers.start({ SMTP_URL: smtp.url, MAIL_FROM: `Billstream <${from}>` }));
  for (const worker of started) await expect.poll(() => worker.logged(WORKER_READY), { timeout: 30_000 }).toBe(true);

  const subscriptionIds: string[] = [];
  for (let i = 0; i < SUBSCRIPTIONS; i++) subscriptionIds.push(await aRegisteredSubscription(store, AT, i));
  const notices: NoticeJob[] = subscriptionIds.map((subscriptionId) => ({ name: 'subscription_created', subscriptionId }));

  // Asked for again, here, while the workers' process managers ask for them too: one job per key.
  const unused: Mailer = { send: () => Promise.reject(new Error('this process sends nothing')) };
  const requester = createNotices({ db: database.db, store, clock: { now: () => AT }, jobs, mailer: unused, mailFrom: SENDERS[0]! });
  await Promise.all(notices.filter((_, i) => i % 2 === 0).map((notice) => requester.request(notice)));

  // Both workers inside a send before anyone's goes on.
  await expect.poll(() => new Set(smtp.held()), { timeout: 30_000 }).toEqual(new Set(SENDERS));
  smtp.release();

  const messageIds = notices.map((notice) => messageIdFor(noticeKey(notice), `billing@${DOMAIN}`));
  // Every notice job run, and none left to run.
  const noticeJobs = () => listJobs(database.db, { queue: NOTICES.name, limit: 1_000 });
  await expect.poll(async () => (await noticeJobs()).filter((j) => j.state !== 'COMPLETED').length, { timeout: 30_000 }).toBe(0);
  await expect.poll(async () => (await noticeJobs()).length).toBeGreaterThanOrEqual(SUBSCRIPTIONS);
  for (const worker of started) {
    worker.child.kill('SIGTERM');
    expect(await worker.exit, worker.output()).toBe(0);
  }

  // Once each: every expected Message-ID delivered exactly once, and nothing else.
  expect(messageIds.map((id) => smtp.count(id))).toEqual(messageIds.map(() => 1));
  expect(smtp.delivered).toHaveLength(SUBSCRIPTIONS);
  expect(new Set(smtp.delivered.map((d) => d.to[0]))).toEqual(new Set(subscriptionIds.map((_, i) => `c${i}@example.com`)));
  // Both did work.
  for (const from of SENDERS) expect(smtp.delivered.filter((d) => d.from === from).length, from).toBeGreaterThan(0);
  // One job per key, run once; one row per notice sent.
  const run = await noticeJobs();
  expect(run).toHaveLength(SUBSCRIPTIONS);
  expect(run.every((j) => j.state === 'COMPLETED' && j.attempts === 1)).toBe(true);
  const sent = await database.db.selectFrom('collections.notices_sent').select(['key', 'message_id']).execute();
  expect(new Map(sent.map((s) => [s.key, s.message_id]))).toEqual(new Map(notices.map((n, i) => [noticeKey(n), messageIds[i]])));
  expect(sent).toHaveLength(SUBSCRIPTIONS);
}, 90_000);
