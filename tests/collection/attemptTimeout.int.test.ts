import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCharges, type Charges } from '../../src/application/collection/charge.js';
import { createSimulatedGateway, type PaymentGateway } from '../../src/application/payment/index.js';
import type { DunningPolicy } from '../../src/domain/invoice/index.js';
import { createPostgresEventStore, type EventStore } from '../../src/eventstore/index.js';
import type { Jobs } from '../../src/jobs/index.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { paymentsProjection } from '../../src/projections/payment/index.js';
import type { LeasedRun } from '../../src/scheduler/runtime/index.js';
import { collectionTriggers } from '../../src/scheduler/collection/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { invoiceStreams } from './invoiceStreams.js';

/**
 * An attempt that never hears back does not hold its invoice for good: after
 * the timeout, the `payment-timeout` trigger asks the gateway for the outcome
 * under the attempt's key and records it. A charge the gateway never made is
 * closed there, so the late charge moves no money; one it made pays the invoice.
 */
const NOW = new Date('2026-03-01T06:00:00.000Z');
const LATER = new Date(NOW.getTime() + 16 * 60_000);
let now = NOW;
const clock = { now: () => now };
const DUNNING: DunningPolicy = { retryDays: [1, 3], graceDays: 30 };

let database: TestDatabase;
let store: EventStore;
let real: PaymentGateway;
let charges: Charges;
let streams: ReturnType<typeof invoiceStreams>;
/** Charges of these invoices wait here before they reach the gateway. */
const gates = new Map<string, { release: () => void; promise: Promise<void> }>();
const gate = (invoiceId: string) => {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  gates.set(invoiceId, { release, promise });
  return release;
};

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 10 });
  store = createPostgresEventStore({ pool: database.pool });
  streams = invoiceStreams(store, NOW);
  real = createSimulatedGateway({ db: database.db, clock });
  const gateway: PaymentGateway = { ...real, charge: async (request) => (await gates.get(request.invoiceId)?.promise, real.charge(request)) };
  const jobs = { enqueue: async () => ({ jobId: 'none', enqueued: false }) } as unknown as Jobs;
  charges = createCharges({ store, clock, gateway, jobs, dunning: DUNNING });
});
afterAll(async () => {
  for (const g of gates.values()) g.release();
  await store?.close();
  await database?.close();
});

const succeededRows = async (invoiceId: string) =>
  (await sql<{ n: string }>`select count(*) as n from payments.simulated_charges where invoice_id = ${invoiceId} and outcome = 'succeeded'`.execute(database.db)).rows[0]!.n;

/** read.payments as the payments projection leaves it after every event so far; then the trigger's run at `at`. */
const runTimeoutTrigger = async (at: Date) => {
  const events = (await store.readAll({ maxCount: 10_000 })).filter((e) => e.streamName.startsWith('invoice-'));
  await database.db.transaction().execute((trx) => paymentsProjection.apply(trx, events));
  now = at;
  const trigger = collectionTriggers({
    db: database.db,
    store,
    clock,
    charges,
    notices: {} as never,
    logger: createSilentLogger(),
    attemptTimeoutMs: 15 * 60_000,
  }).find((t) => t.name === 'payment-timeout')!;
  await trigger.run({ stillHolding: () => true, lease: { fencing: 1n } } as unknown as LeasedRun);
};

describe('an attempt that never hears back', () => {
  it('is closed failed when the gateway never charged: the late charge then moves no money, and the invoice may be voided', async () => {
    const invoiceId = await streams.create();
    const release = gate(invoiceId);
    const running = charges.run({ invoiceId, attempt: 1 });
    await expect.poll(async () => (await streams.state(invoiceId)).status !== 'NONE' && (await streams.events(invoiceId)).some((e) => e.type === 'PaymentAttempted')).toBe(true);
    await expect(streams.send(invoiceId, { type: 'VoidInvoice', data: { now: NOW.toISOString() } })).rejects.toMatchObject({ reason: 'invoice.payment_in_flight' });

    await runTimeoutTrigger(new Date(NOW.getTime() + 5 * 60_000));
    expect((await streams.events(invoiceId)).map((e) => e.type)).not.toContain('PaymentFailed');
    await runTimeoutTrigger(LATER);
    const failed = (await streams.events(invoiceId)).find((e) => e.type === 'PaymentFailed');
    expect(failed?.data).toMatchObject({ attempt: 1, code: 'charge_abandoned', hard: false });
    expect(failed?.metadata).toMatchObject({ actor: { id: 'system:scheduler' }, source: 'scheduler', commandId: `result:${invoiceId}:1` });

    release();
    await running;
    expect(await succeededRows(invoiceId)).toBe('0');
    expect((await streams.events(invoiceId)).filter((e) => e.type.startsWith('Payment')).map((e) => e.type)).toEqual(['PaymentAttempted', 'PaymentFailed']);
    expect((await streams.send(invoiceId, { type: 'VoidInvoice', data: { now: LATER.toISOString() } })).newState.status).toBe('VOID');
  });

  it('records the success the gateway holds when the job died after charging: the invoice is paid, once', async () => {
    now = NOW;
    const invoiceId = await streams.create();
    await streams.send(invoiceId, { type: 'AttemptPayment', data: { attempt: 1, paymentMethod: 'pm_ok', dunning: DUNNING, now: NOW.toISOString() } });
    const state = await streams.state(invoiceId);
    if (state.status === 'NONE') throw new Error('no invoice');
    // The job charged, then died before recording what the gateway said.
    await real.charge({ invoiceId, customerId: state.customerId, amount: 4_500, currency: 'usd', paymentMethod: 'pm_ok', idempotencyKey: `${invoiceId}:attempt:1` });
    await runTimeoutTrigger(LATER);
    expect(await streams.state(invoiceId)).toMatchObject({ status: 'PAID', paid: 4_500 });
    await runTimeoutTrigger(LATER);
    expect((await streams.events(invoiceId)).filter((e) => e.type === 'PaymentSucceeded')).toHaveLength(1);
    expect(await succeededRows(invoiceId)).toBe('1');
  });
});
