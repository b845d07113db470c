import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHARGES, createCharges, type Charges } from '../../src/application/collection/charge.js';
import { customerDecider, customerStreamName } from '../../src/domain/customer/index.js';
import { invoiceDecider, invoiceStreamName, type DunningPolicy, type InvoiceState } from '../../src/domain/invoice/index.js';
import { createPostgresEventStore, foldStream, handleCommand, type EventStore } from '../../src/eventstore/index.js';
import { createJobs, type Jobs } from '../../src/jobs/jobs.js';
import { getJob } from '../../src/jobs/view.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { createSimulatedGateway, type PaymentGateway } from '../../src/application/payment/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/**
 * Charge jobs on real pg-boss, the simulated gateway and the PostgreSQL store:
 * each token's outcome on the invoice stream, and a job that crashes after
 * the gateway charged and before the result was recorded: run again, it
 * charges nothing twice.
 */
const NOW = new Date('2026-03-01T06:00:00.000Z');
const clock = { now: () => NOW };
const DUNNING: DunningPolicy = { retryDays: [1, 3, 5, 7], graceDays: 30 };
const context = (commandId: string) => ({ correlationId: commandId, commandId, actor: { id: 'test' }, source: 'test', occurredAt: NOW });

let database: TestDatabase;
let store: EventStore;
let jobs: Jobs;
let charges: Charges;
let gateway: PaymentGateway;
/** Makes the next recorded result fail once, after the gateway has charged: a crash between the two. */
let crashAfterCharge = false;

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 10 });
  store = createPostgresEventStore({ pool: database.pool });
  const real = createSimulatedGateway({ db: database.db, clock });
  gateway = {
    ...real,
    charge: async (request) => {
      const answer = await real.charge(request);
      if (crashAfterCharge) {
        crashAfterCharge = false;
        throw new Error('worker crashed after the charge');
      }
      return answer;
    },
  };
  jobs = createJobs({ pool: database.pool, logger: createSilentLogger(), pollingIntervalSeconds: 0.5 });
  await jobs.start([{ ...CHARGES, retryDelaySeconds: 1 }]);
  charges = createCharges({ store, clock, gateway, jobs, dunning: DUNNING });
  await jobs.work(CHARGES.name, (data: { invoiceId: string; attempt: number }) => charges.run(data));
});
afterAll(async () => {
  await jobs?.stop(1_000);
  await store?.close();
  await database?.close();
});

/** A customer (with `paymentMethod`, unless null) and an open invoice of 4,500 usd for it. */
const openInvoice = async (name: string, paymentMethod: string | null): Promise<string> => {
  const customerId = `cus_${name}`;
  const invoiceId = `inv_${name}`;
  await handleCommand(store, customerStreamName(customerId), customerDecider, { type: 'RegisterCustomer', data: { customerId, name, email: `${name}@example.com`, now: NOW.toISOString() } }, context(`reg:${name}`));
  if (paymentMethod !== null) {
    await handleCommand(store, customerStreamName(customerId), customerDecider, { type: 'AttachPaymentMethod', data: { paymentMethod, now: NOW.toISOString() } }, context(`pm:${name}`));
  }
  const line = { type: 'plan_charge' as const, itemKey: 'charge:1', description: 'Basic', quantity: 1, unitAmount: 4_500, amount: 4_500, currency: 'usd', period: { start: NOW.toISOString(), end: '2026-04-01T06:00:00.000Z' } };
  await handleCommand(
    store,
    invoiceStreamName(invoiceId),
    invoiceDecider,
    { type: 'CreateInvoice', data: { invoiceId, customerId, subscriptionId: `sub_${name}`, currency: 'usd', lines: [line], cause: { kind: 'period', periodStart: NOW.toISOString() }, draft: false, now: NOW.toISOString() } },
    context(`create:${name}`),
  );
  await handleCommand(store, invoiceStreamName(invoiceId), invoiceDecider, { type: 'FinalizeInvoice', data: { number: `2026-${String(name.length).padStart(6, '0')}`, now: NOW.toISOString() } }, context(`fin:${name}`));
  return invoiceId;
};

const invoice = async (invoiceId: string): Promise<InvoiceState> => (await foldStream(store, invoiceStreamName(invoiceId), invoiceDecider)).state;
const statusOf = async (invoiceId: string) => (await invoice(invoiceId)).status;
const lastResult = async (invoiceId: string) => {
  const s = await invoice(invoiceId);
  return s.status === 'NONE' ? undefined : s.collection?.payments.at(-1)?.result;
};
const gatewayRows = async (invoiceId: string) =>
  Number((await sql<{ n: string }>`select count(*) as n from payments.simulated_charges where invoice_id = ${invoiceId}`.execute(database.db)).rows[0]!.n);

describe('charge jobs', () => {
  it('pays an invoice with pm_ok, once, however often the charge is asked for', async () => {
    const invoiceId = await openInvoice('ok', 'pm_ok');
    await Promise.all([1, 2, 3].map(() => charges.request({ invoiceId, attempt: 1 })));
    await expect.poll(() => statusOf(invoiceId), { timeout: 10_000 }).toBe('PAID');
    expect(await gatewayRows(invoiceId)).toBe(1);
  });

  it('records a hard decline (grace begins) and a soft one (a retry is due), and charges nothing without a payment method', async () => {
    const declined = await openInvoice('declined', 'pm_declined');
    const soft = await openInvoice('insufficient', 'pm_insufficient_funds');
    const none = await openInvoice('nomethod', null);
    for (const invoiceId of [declined, soft, none]) await charges.request({ invoiceId, attempt: 1 });
    await expect.poll(() => Promise.all([declined, soft, none].map(lastResult)), { timeout: 10_000 }).toEqual([
      expect.objectContaining({ outcome: 'failed', code: 'card_declined', hard: true }),
      expect.objectContaining({ outcome: 'failed', code: 'insufficient_funds', hard: false }),
      expect.objectContaining({ outcome: 'failed', code: 'no_payment_method', hard: true, chargeId: null }),
    ]);
    expect(await invoice(declined)).toMatchObject({ status: 'OPEN', collection: { graceEndsAt: '2026-03-31T06:00:00.000Z' } });
    expect(await invoice(soft)).toMatchObject({ status: 'OPEN', collection: { nextRetryAt: '2026-03-02T06:00:00.000Z' } });
    expect(await gatewayRows(none)).toBe(0);
  });

  it('recovers pm_flaky_1 on its second attempt', async () => {
    const invoiceId = await openInvoice('flaky', 'pm_flaky_1');
    await charges.request({ invoiceId, attempt: 1 });
    await expect.poll(() => lastResult(invoiceId), { timeout: 10_000 }).toMatchObject({ outcome: 'failed', hard: false });
    await charges.request({ invoiceId, attempt: 2 });
    await expect.poll(() => statusOf(invoiceId), { timeout: 10_000 }).toBe('PAID');
    expect(await gatewayRows(invoiceId)).toBe(2);
  });

  it('charges once when the job crashes after the charge and before the result: the retried job gets the first answer', async () => {
    const invoiceId = await openInvoice('crash', 'pm_ok');
    crashAfterCharge = true;
    const { jobId } = await charges.request({ invoiceId, attempt: 1 });
    await expect.poll(() => statusOf(invoiceId), { timeout: 15_000 }).toBe('PAID');
    expect(await gatewayRows(invoiceId)).toBe(1);
    expect(await getJob(database.db, jobId)).toMatchObject({ state: 'COMPLETED', attempts: 2 });
    const events = (await store.readStream(invoiceStreamName(invoiceId))).map((e) => e.type);
    expect(events.filter((t) => t === 'PaymentAttempted')).toHaveLength(1);
    expect(events.filter((t) => t === 'PaymentSucceeded')).toHaveLength(1);
  }, 30_000);
});
