import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { CHARGES, createCharges, type ChargeJob } from '../../src/application/collection/charge.js';
import { createPostgresEventStore, type EventStore } from '../../src/eventstore/index.js';
import { createJobs, type Jobs } from '../../src/jobs/jobs.js';
import { getJob } from '../../src/jobs/view.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { createSimulatedGateway } from '../../src/application/payment/index.js';
import { invoiceStreams } from '../collection/invoiceStreams.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/**
 * `billstream dunning retry|stop|extend-grace` against a real database: each
 * is an event on the invoice's stream whose actor is the CLI (retry's through
 * the charge job it enqueues, which a worker here runs). The CLI runs on a
 * simulated clock fixed at NOW, so the instants it records are known.
 */
const NOW = new Date('2026-03-01T06:00:00.000Z');
const clock = { now: () => NOW };
const CLI_ACTOR = { actor: { id: 'system:cli' }, source: 'cli' };

let database: TestDatabase;
let store: EventStore;
let jobs: Jobs | undefined;
let streams: ReturnType<typeof invoiceStreams>;

beforeAll(async () => {
  database = await createTestDatabase();
  store = createPostgresEventStore({ pool: database.pool });
  streams = invoiceStreams(store, NOW);
  vi.stubEnv('CLOCK', 'simulated');
  vi.stubEnv('CLOCK_START', NOW.toISOString());
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await jobs?.stop(1_000);
  await store?.close();
  await database?.close();
});

const cli = (...args: string[]) => runCli(args, { databaseUrl: database.url });

/** An invoice whose customer has no payment method: its first attempt failed at once (hard), so grace runs to NOW + 30 days. */
const inGrace = async () => {
  const invoiceId = await streams.create({ paymentMethod: null });
  await streams.send(invoiceId, { type: 'AttemptPayment', data: { attempt: 1, dunning: { retryDays: [1, 3], graceDays: 30 }, now: NOW.toISOString() } });
  return invoiceId;
};

it('retry enqueues the next attempt once, as the CLI; the worker pays it, and a paid invoice is refused', async () => {
  const invoiceId = await streams.create({ paymentMethod: 'pm_ok' });
  const first = await cli('dunning', 'retry', invoiceId);
  expect(first.code, first.stderr).toBe(0);
  const jobId = /job ([0-9a-f-]{36})$/.exec(first.stdout.trim())?.[1];
  expect(first.stdout.trim()).toBe(`enqueued attempt 1 of ${invoiceId}: job ${jobId}`);
  const second = await cli('dunning', 'retry', invoiceId);
  expect(second.stdout.trim()).toBe(`already enqueued attempt 1 of ${invoiceId}: job ${jobId}`);
  // The CLI only enqueued: nothing has worked the job.
  expect(await getJob(database.db, jobId!)).toMatchObject({ state: 'PENDING', data: { invoiceId, attempt: 1, origin: CLI_ACTOR } });

  jobs = createJobs({ pool: database.pool, logger: createSilentLogger(), pollingIntervalSeconds: 0.5 });
  await jobs.start([CHARGES]);
  const charges = createCharges({ store, clock, gateway: createSimulatedGateway({ db: database.db, clock }), jobs, dunning: { retryDays: [1], graceDays: 30 } });
  await jobs.work(CHARGES.name, (data: ChargeJob) => charges.run(data));
  await expect.poll(async () => (await streams.state(invoiceId)).status, { timeout: 10_000 }).toBe('PAID');
  const paid = (await streams.events(invoiceId)).filter((e) => ['PaymentAttempted', 'PaymentSucceeded', 'InvoicePaid'].includes(e.type));
  expect(paid).toHaveLength(3);
  for (const e of paid) expect(e.metadata, e.type).toMatchObject(CLI_ACTOR);

  const refused = await cli('dunning', 'retry', invoiceId);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('invoice.already_paid');
}, 60_000);

it('extend-grace and stop record their events with the CLI as actor and the reason given', async () => {
  const invoiceId = await inGrace();
  const extended = await cli('dunning', 'extend-grace', invoiceId, '--days', '10', '--reason', 'promised to pay');
  expect(extended.code, extended.stderr).toBe(0);
  expect(extended.stdout.trim()).toBe(`extended grace of ${invoiceId} by 10 days: it ends 2026-04-10T06:00:00.000Z`);
  const stopped = await cli('dunning', 'stop', invoiceId, '--reason', 'disputed');
  expect(stopped.code, stopped.stderr).toBe(0);
  expect(stopped.stdout.trim()).toBe(`stopped dunning of ${invoiceId}`);
  expect((await cli('dunning', 'stop', invoiceId)).stdout.trim()).toBe(`dunning of ${invoiceId} was already stopped (unchanged)`);

  const overrides = (await streams.events(invoiceId)).filter((e) => e.type === 'GraceExtended' || e.type === 'DunningStopped');
  expect(overrides.map((e) => ({ type: e.type, data: e.data }))).toEqual([
    {
      type: 'GraceExtended',
      data: { invoiceId, previousGraceEndsAt: '2026-03-31T06:00:00.000Z', graceEndsAt: '2026-04-10T06:00:00.000Z', reason: 'promised to pay', extendedAt: NOW.toISOString() },
    },
    { type: 'DunningStopped', data: { invoiceId, reason: 'disputed', stoppedAt: NOW.toISOString() } },
  ]);
  for (const e of overrides) expect(e.metadata, e.type).toMatchObject({ ...CLI_ACTOR, occurredAt: NOW.toISOString() });

  const late = await cli('dunning', 'extend-grace', invoiceId, '--days', '5');
  expect(late.code).toBe(1);
  expect(late.stderr).toContain('invoice.dunning_stopped');
}, 60_000);

it('refuses bad arguments before touching anything, and unknown invoices, with the reason and exit code 1', async () => {
  const invoiceId = await inGrace();
  const before = (await streams.events(invoiceId)).length;
  const refusals: [string[], string][] = [
    [['dunning', 'retry', 'inv_nope'], 'the invoice id: not a invoice id'],
    [['dunning', 'extend-grace', invoiceId, '--days', '0'], '--days:'],
    [['dunning', 'extend-grace', invoiceId, '--days', 'ten'], '--days:'],
    [['dunning', 'extend-grace', invoiceId, '--days', '2', '--reason', ' '], '--reason:'],
    [['dunning', 'extend-grace', invoiceId], "required option '--days <n>' not specified"],
    [['dunning', 'stop', `inv_${'0'.repeat(32)}`], 'invoice.not_found'],
  ];
  for (const [args, message] of refusals) {
    const run = await cli(...args);
    expect(run.code, args.join(' ')).toBe(1);
    expect(run.stderr, args.join(' ')).toContain(message);
  }
  expect(await streams.events(invoiceId)).toHaveLength(before);
}, 60_000);
