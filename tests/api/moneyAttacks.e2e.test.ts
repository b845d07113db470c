import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentGateway } from '../../src/application/payment/index.js';
import { onSimulatedClock } from './simulatedClock.js';
import { expectEnvelope, type Json } from './support.js';

/**
 * The attacks on money where paths meet, over HTTP, each once seen succeeding:
 * a void racing a charge, a void keeping the credit applied to it, and a USER
 * asking for charge after charge. The gateway is the real simulated one,
 * wrapped so that a charge of a chosen invoice stops at a barrier before or
 * after it reaches the gateway: each interleaving of a void with a charge is
 * forced, never hoped for. One charge worker, so a held charge also holds
 * back every other charge job.
 */
const DAY_0 = '2030-03-01T09:00:00.000Z';

const barrier = () => {
  let arrive!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((resolve) => (arrive = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  return { reached, release, wait: async () => (arrive(), await released) };
};
type Hold = Readonly<{ invoiceId: string; at: 'before' | 'after'; barrier: ReturnType<typeof barrier> }>;
const holds: Hold[] = [];
const hold = (invoiceId: string, at: Hold['at']) => {
  const h = { invoiceId, at, barrier: barrier() };
  holds.push(h);
  return h.barrier;
};
// A test that fails while a charge is held lets it go: the one worker is needed by the next.
afterEach(() => holds.splice(0).forEach((h) => h.barrier.release()));
const gated = (real: PaymentGateway): PaymentGateway => ({
  ...real,
  charge: async (request) => {
    await holds.find((h) => h.invoiceId === request.invoiceId && h.at === 'before')?.barrier.wait();
    const result = await real.charge(request);
    await holds.find((h) => h.invoiceId === request.invoiceId && h.at === 'after')?.barrier.wait();
    return result;
  },
});

const clock = onSimulatedClock(
  DAY_0,
  'money-manager@example.com',
  { DATA_DIR: mkdtempSync(path.join(tmpdir(), 'billstream-money-')), WORKER_CONCURRENCY: '1' },
  { gateway: gated },
);

let owner: { userId: string; token: string };
let admin: string;
/** Invoices by name, each billed on DAY_0: OPEN, their first attempt failed for want of a payment method. */
const invoices: Record<string, string> = {};
const customers: Record<string, string> = {};

const call = (method: string, url: string, token: string, body?: unknown) =>
  clock.api.call(method, url, { token, ...(method === 'POST' && { body: body ?? {} }) });
const events = async (invoiceId: string): Promise<Json[]> => (await clock.get(`/v1/streams/invoice-${invoiceId}?limit=1000`));
const statusOf = async (invoiceId: string) => (await clock.get(`/v1/invoices/${invoiceId}`)).status as string;
const succeededCharges = async (invoiceId: string) =>
  (
    await sql<{ charge_id: string }>`select charge_id from payments.simulated_charges where invoice_id = ${invoiceId} and outcome = 'succeeded'`.execute(
      clock.system.db,
    )
  ).rows.map((r) => r.charge_id);
const recordedCharges = async (invoiceId: string) =>
  (await events(invoiceId)).filter((e) => e.type === 'PaymentSucceeded').map((e) => e.data.chargeId as string);
const payAs = (token: string, invoiceId: string) => call('POST', `/v1/invoices/${invoiceId}/pay`, token);
const voidAs = (token: string, invoiceId: string) => call('POST', `/v1/invoices/${invoiceId}/void`, token);

beforeAll(async () => {
  owner = await clock.api.userWithRole('USER', 'money-owner@example.com');
  admin = (await clock.api.userWithRole('ADMIN', 'money-admin@example.com')).token;
  const plan = await clock.post('/v1/plans', { name: 'Monthly', pricingModel: 'flat_rate', amount: 1_000, currency: 'usd', interval: 'month' });
  const names = ['beforeCharge', 'afterCharge', 'afterResult', 'holder', 'queued', 'credited', 'hammered'];
  const subscriptions: Record<string, string> = {};
  for (const name of names) {
    const customer = await clock.post('/v1/customers', { name, email: `ap@${name.toLowerCase()}.example`, ownerUserId: owner.userId });
    customers[name] = customer.customerId;
    if (name === 'credited') await clock.post(`/v1/customers/${customer.customerId}/credits`, { amount: 500, currency: 'usd', reason: 'goodwill' });
    const contract = await clock.post('/v1/contracts', { customerId: customer.customerId, title: name });
    await clock.post(`/v1/contracts/${contract.contractId}/activate`);
    subscriptions[name] = (await clock.post('/v1/subscriptions', { contractId: contract.contractId, planId: plan.planId })).subscriptionId;
  }
  const billed = await clock.post('/v1/test/clock/advance', { to: DAY_0 });
  for (const name of names) {
    invoices[name] = billed.invoices.find((i: Json) => i.subscriptionId === subscriptions[name]).invoiceId;
    // Attempt 1 failed without a payment method; from now on the card works, or fails softly.
    await clock.post(`/v1/customers/${customers[name]}/payment-method`, { paymentMethod: name === 'hammered' ? 'pm_insufficient_funds' : 'pm_ok' });
  }
});

describe('a void racing a charge: no succeeded charge is ever dropped', () => {
  it.each([
    ['beforeCharge', 'before'],
    ['afterCharge', 'after'],
  ] as const)('a void while the charge is %s the gateway is refused 409 invoice.payment_in_flight, and the charge pays the invoice', async (name, at) => {
    const invoiceId = invoices[name]!;
    const held = hold(invoiceId, at);
    expect((await payAs(admin, invoiceId)).status).toBe(202);
    await held.reached;
    const voided = await voidAs(admin, invoiceId);
    expect(voided.status, JSON.stringify(voided.body)).toBe(409);
    expect(voided.body.error).toMatchObject({ code: 'CONFLICT', reason: 'invoice.payment_in_flight' });
    expectEnvelope(voided, name);
    held.release();
    await expect.poll(() => statusOf(invoiceId), { timeout: 15_000 }).toBe('PAID');
    const charged = await succeededCharges(invoiceId);
    expect(charged).toHaveLength(1);
    expect(await recordedCharges(invoiceId)).toEqual(charged);
  });

  it('a void after the result is recorded finds the invoice paid', async () => {
    const invoiceId = invoices.afterResult!;
    expect((await payAs(admin, invoiceId)).status).toBe(202);
    await expect.poll(() => statusOf(invoiceId), { timeout: 15_000 }).toBe('PAID');
    const voided = await voidAs(admin, invoiceId);
    expect(voided.status).toBe(409);
    expect(voided.body.error.reason).toBe('invoice.invalid_transition');
    expect(await recordedCharges(invoiceId)).toEqual(await succeededCharges(invoiceId));
  });

  it('a void before the charge job records its attempt wins: the job charges nothing', async () => {
    // The one charge worker is held on another invoice, so the queued invoice's job waits behind it.
    const held = hold(invoices.holder!, 'before');
    expect((await payAs(admin, invoices.holder!)).status).toBe(202);
    await held.reached;
    const queued = await payAs(admin, invoices.queued!);
    expect(queued.status).toBe(202);
    const voided = await voidAs(admin, invoices.queued!);
    expect(voided.status, JSON.stringify(voided.body)).toBe(200);
    held.release();
    await expect.poll(() => statusOf(invoices.holder!), { timeout: 15_000 }).toBe('PAID');
    await expect.poll(async () => (await clock.get(`/v1/jobs/${queued.body.data.jobId}`)).state, { timeout: 15_000 }).toBe('COMPLETED');
    expect(await succeededCharges(invoices.queued!)).toEqual([]);
    expect((await events(invoices.queued!)).filter((e) => e.type === 'PaymentAttempted')).toHaveLength(1);
  });
});

describe('a void gives back what was applied to the invoice', () => {
  it('credit applied to a voided invoice returns to the customer’s balance', async () => {
    const customer = () => clock.get(`/v1/customers/${customers.credited}`);
    expect((await customer()).credit).toEqual({ usd: 0 });
    expect(await voidAs(admin, invoices.credited!)).toMatchObject({ status: 200 });
    await expect.poll(async () => (await customer()).credit, { timeout: 15_000 }).toEqual({ usd: 500 });
  });
});

describe('a USER’s manual charges are bounded', () => {
  it('answers 429 after PAY_ATTEMPTS_PER_DAY requests for one invoice; an operator is not limited', async () => {
    const invoiceId = invoices.hammered!;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await payAs(owner.token, invoiceId);
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.body.error.code).toBe('RATE_LIMITED');
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        continue;
      }
      const attempt = res.body.data.attempt as number;
      await expect
        .poll(async () => (await events(invoiceId)).some((e) => e.type === 'PaymentFailed' && e.data.attempt === attempt), { timeout: 15_000 })
        .toBe(true);
    }
    expect(statuses).toEqual([202, 202, 202, 429, 429, 429, 429, 429]);
    const attempts = async () => (await events(invoiceId)).filter((e) => e.type === 'PaymentAttempted').length;
    expect(await attempts()).toBe(4);
    expect((await payAs(admin, invoiceId)).status).toBe(202);
    await expect.poll(attempts, { timeout: 15_000 }).toBe(5);
  });
});

describe('the ledger after the attacks', () => {
  it('reconciles: the trial balance is 0, credit, receivable and cash match the streams and the gateway, and every succeeded charge is posted once', async () => {
    const auditor = (await clock.api.userWithRole('AUDITOR', 'money-auditor@example.com')).token;
    const head = (await clock.system.store.headPosition())!;
    const minPosition = { 'X-Min-Position': `${head.commit}/${head.prepare}` };
    const read = (url: string, token: string) => clock.api.call('GET', url, { token, headers: minPosition });
    await expect.poll(async () => (await read('/v1/ledger/reconciliation', auditor)).body.data.ok, { timeout: 15_000 }).toBe(true);
    const reconciliation = (await read('/v1/ledger/reconciliation', auditor)).body.data;
    expect(reconciliation.openClearings).toEqual([]);
    expect(reconciliation.checks.map((c: Json) => c.check)).toEqual(expect.arrayContaining(['trial_balance', 'customer_credit', 'receivable', 'cash']));

    const trial = (await read('/v1/ledger/trial-balance', auditor)).body.data;
    expect(trial.totals).toEqual([expect.objectContaining({ currency: 'usd', balance: 0 })]);

    const charges = (await sql<{ charge_id: string }>`select charge_id from payments.simulated_charges where outcome = 'succeeded'`.execute(clock.system.db)).rows;
    expect(charges.length).toBeGreaterThan(0);
    const posted = await sql<{ reference: string; n: string }>`
      select reference, count(*) as n from read.ledger_entries where reference is not null and debit_account = 'cash' group by reference`.execute(clock.system.db);
    expect(new Map(posted.rows.map((r) => [r.reference, Number(r.n)]))).toEqual(new Map(charges.map((c) => [c.charge_id, 1])));

    const credited = (await read(`/v1/ledger/customers/${customers.credited}`, auditor)).body.data;
    expect(credited.creditBalance).toEqual({ usd: 500 });
    expect((await read('/v1/ledger/trial-balance', owner.token)).status).toBe(403);
  });
});
