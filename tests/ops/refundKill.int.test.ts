import { expect, it } from 'vitest';
import { REFUNDS } from '../../src/application/refund/index.js';
import { invoiceDecider, invoiceStreamName } from '../../src/domain/invoice/index.js';
import { refundStreamName } from '../../src/domain/refund/index.js';
import { handleCommand } from '../../src/eventstore/index.js';
import { getJob } from '../../src/jobs/view.js';
import { invoiceStreams } from '../collection/invoiceStreams.js';
import { onWorkerKill } from '../support/workerKill.js';
import { WORKER_READY } from '../support/workerProcess.js';

/**
 * No double refund when a worker process dies between the gateway's refund
 * and the recording of its result. A `--role worker` child pays an invoice,
 * then takes the refund job a credit note's refund asks for; two lock
 * barriers stop it exactly there, as for charges (chargeKill.int.test.ts): a
 * SHARE lock on payments.simulated_refunds holds the gateway's insert, then an
 * uncommitted event at the refund stream's next revision holds the result's
 * append while the refund commits. SIGKILLed there; the job expires; a second
 * worker runs it again, and the gateway answers its key with the first refund.
 */
const NOW = new Date('2026-03-01T06:00:00.000Z');

const kill = onWorkerKill();
const refundRows = async () => (await kill.database.db.selectFrom('payments.simulated_refunds').selectAll().execute()).map((r) => [r.outcome, Number(r.amount)]);

it('refunds once when the worker is SIGKILLed after the refund and before its result, and the expired job is run again by another worker', async () => {
  const invoices = invoiceStreams(kill.store, NOW);
  const invoiceId = await invoices.create({ paymentMethod: 'pm_ok' });
  const first = kill.workers.start();
  await expect.poll(async () => (await invoices.state(invoiceId)).status, { timeout: 30_000 }).toBe('PAID');

  // Barrier 1: no refund can be written.
  const gateway = await kill.barrier();
  await gateway.query('lock table payments.simulated_refunds in share mode');
  const context = { correlationId: 'refund-kill', commandId: 'refund-kill-note', actor: { id: 'system:test' }, source: 'test', occurredAt: NOW };
  const noted = await handleCommand(
    kill.store,
    invoiceStreamName(invoiceId),
    invoiceDecider,
    { type: 'IssueCreditNote', data: { creditNoteId: `cn_${'1'.repeat(32)}`, reason: 'product_unsatisfactory', amount: 1_500, refund: 1_500, now: NOW.toISOString() } },
    context,
  );
  const refund = noted.newEvents.find((e) => e.type === 'InvoiceCreditNoted');
  expect(refund?.type === 'InvoiceCreditNoted' && refund.data.refunds).toEqual([{ chargeId: expect.stringMatching(/^ch_sim_/), amount: 1_500 }]);
  await expect.poll(() => gateway.waiters(), { timeout: 30_000 }).toEqual([expect.objectContaining({ query: expect.stringMatching(/simulated_refunds/) })]);
  const { job_id: jobId, key } = await kill.database.db.selectFrom('jobs.job_keys').select(['job_id', 'key']).where('queue', '=', REFUNDS.name).executeTakeFirstOrThrow();
  const stream = refundStreamName(key.slice('refund:'.length));
  expect((await kill.store.readStream(stream)).map((e) => e.type)).toEqual(['RefundRequested']);

  // Barrier 2: the refund stream's next revision, taken (uncommitted) before the worker can append its result there.
  const append = await kill.barrier();
  await append.query(`insert into es.events (stream_name, revision, event_id, type, data, metadata) values ($1, 1, gen_random_uuid(), 'TestBarrier', '{}', '{}')`, [stream]);
  await gateway.release();
  await expect.poll(() => append.waiters(), { timeout: 10_000 }).toEqual([expect.objectContaining({ query: expect.stringMatching(/^insert into es\.events/) })]);
  expect(await refundRows()).toEqual([['succeeded', 1_500]]);

  first.child.kill('SIGKILL');
  expect(await first.exit).toBe('SIGKILL');
  await expect.poll(() => append.waiters(), { timeout: 10_000 }).toEqual([]);
  await append.release();
  expect(await getJob(kill.database.db, jobId)).toMatchObject({ state: 'RUNNING', attempts: 1 });

  await kill.expire(jobId);
  await kill.retryNow(jobId);

  const second = kill.workers.start();
  await expect.poll(() => second.logged(WORKER_READY), { timeout: 30_000 }).toBe(true);
  await expect.poll(async () => (await getJob(kill.database.db, jobId))?.state, { timeout: 30_000 }).toBe('COMPLETED');

  // One refund, answered twice; recorded once.
  expect(await refundRows()).toEqual([['succeeded', 1_500]]);
  expect((await kill.store.readStream(stream)).map((e) => e.type)).toEqual(['RefundRequested', 'RefundSucceeded']);
  second.child.kill('SIGTERM');
  expect(await second.exit, second.output()).toBe(0);
}, 90_000);
