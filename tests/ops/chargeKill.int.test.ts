import { expect, it } from 'vitest';
import { CHARGES } from '../../src/application/collection/index.js';
import { idempotencyKeyOf, invoiceStreamName } from '../../src/domain/invoice/index.js';
import { getJob } from '../../src/jobs/view.js';
import { invoiceStreams } from '../collection/invoiceStreams.js';
import { onWorkerKill } from '../support/workerKill.js';
import { WORKER_READY } from '../support/workerProcess.js';

/**
 * No double charge when a worker process dies between the gateway's charge
 * and the recording of its result. A `--role worker` child takes the charge
 * job its process manager asks for; two lock barriers stop it exactly there:
 * a SHARE lock on payments.simulated_charges holds the gateway's insert (the
 * attempt recorded, nothing charged), then an uncommitted event at the invoice
 * stream's next revision holds the result's append, and the first barrier is
 * let go: the child charges, commits, and blocks on the append. It is
 * SIGKILLed there. pg-boss expires the job once its expireInSeconds has passed
 * (the job's start moved back by that much, then maintenance), and a second
 * worker process runs it again.
 */
const NOW = new Date('2026-03-01T06:00:00.000Z');

const kill = onWorkerKill();

/** The idempotency keys the gateway charged the invoice under, one per charge. */
const chargesOf = async (invoiceId: string) =>
  (await kill.database.db.selectFrom('payments.simulated_charges').select('idempotency_key').where('invoice_id', '=', invoiceId).execute()).map((r) => r.idempotency_key);

it('charges once when the worker is SIGKILLed after the charge and before its result, and the expired job is run again by another worker', async () => {
  const invoices = invoiceStreams(kill.store, NOW);
  const invoiceId = await invoices.create({ paymentMethod: 'pm_ok' });
  const stream = invoiceStreamName(invoiceId);
  const types = async () => (await invoices.events(invoiceId)).map((e) => e.type);

  // Barrier 1, before the worker exists: no charge can be written.
  const gateway = await kill.barrier();
  await gateway.query('lock table payments.simulated_charges in share mode');
  const first = kill.workers.start();
  await expect.poll(() => gateway.waiters(), { timeout: 30_000 }).toEqual([expect.objectContaining({ query: expect.stringMatching(/simulated_charges/) })]);
  // Its attempt is recorded, and its job running: the key its process manager enqueued it under names it.
  expect((await types()).at(-1)).toBe('PaymentAttempted');
  const { job_id: jobId } = await kill.database.db.selectFrom('jobs.job_keys').select('job_id').where('key', '=', `charge:${invoiceId}:1`).executeTakeFirstOrThrow();
  expect(await getJob(kill.database.db, jobId)).toMatchObject({ queue: CHARGES.name, state: 'RUNNING', attempts: 1 });

  // Barrier 2: the invoice stream's next revision, taken (uncommitted) before the worker can append its result there.
  const append = await kill.barrier();
  const { rows } = await append.query('select max(revision)::text as last from es.events where stream_name = $1', [stream]);
  await append.query(
    `insert into es.events (stream_name, revision, event_id, type, data, metadata) values ($1, $2::bigint + 1, gen_random_uuid(), 'TestBarrier', '{}', '{}')`,
    [stream, rows[0]!.last],
  );
  await gateway.release();
  await expect.poll(() => append.waiters(), { timeout: 10_000 }).toEqual([expect.objectContaining({ query: expect.stringMatching(/^insert into es\.events/) })]);
  // Charged and committed; the result not recorded.
  expect(await chargesOf(invoiceId)).toHaveLength(1);

  first.child.kill('SIGKILL');
  expect(await first.exit).toBe('SIGKILL');
  // The server aborts the dead client's waiting append (it would otherwise commit once the barrier goes).
  await expect.poll(() => append.waiters(), { timeout: 10_000 }).toEqual([]);
  await append.release();
  expect(await types()).toEqual(['InvoiceCreated', 'InvoiceFinalized', 'PaymentAttempted']);
  expect(await invoices.state(invoiceId)).toMatchObject({ status: 'OPEN' });
  // The dead worker's job stays active until it expires.
  expect(await getJob(kill.database.db, jobId)).toMatchObject({ state: 'RUNNING', attempts: 1 });

  // The job's expiry passes: its start moved back by expire_in, then pg-boss's maintenance, as a running instance does it every minute.
  await kill.expire(jobId);
  expect(await getJob(kill.database.db, jobId)).toMatchObject({ state: 'FAILED', attempts: 1, lastError: 'job failed by timeout in active state' });
  // And its retry's backoff (15 to 30 s for the first) passes.
  await kill.retryNow(jobId);

  const second = kill.workers.start();
  await expect.poll(() => second.logged(WORKER_READY), { timeout: 30_000 }).toBe(true);
  await expect.poll(async () => (await getJob(kill.database.db, jobId))?.state, { timeout: 30_000 }).toBe('COMPLETED');
  expect(await getJob(kill.database.db, jobId)).toMatchObject({ attempts: 2, lastError: null });

  // One charge, answered twice; the invoice paid once.
  expect(await chargesOf(invoiceId)).toEqual([idempotencyKeyOf(invoiceId, 1)]);
  expect(await types()).toEqual(['InvoiceCreated', 'InvoiceFinalized', 'PaymentAttempted', 'PaymentSucceeded', 'InvoicePaid']);
  expect(await invoices.state(invoiceId)).toMatchObject({ status: 'PAID' });

  second.child.kill('SIGTERM');
  expect(await second.exit, second.output()).toBe(0);
  expect(second.logged('shutdown complete')).toBe(true);
}, 60_000);
