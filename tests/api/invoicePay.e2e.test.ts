import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { onSimulatedClock } from './simulatedClock.js';
import { expectEnvelope, type Json } from './support.js';

/**
 * POST /v1/invoices/:id/pay and /mark-uncollectible over HTTP, on a system
 * whose workers run the charge jobs, on a test clock fixed at Jan 1, 2030:
 * every customer is billed once (attempt 1 made by collections), then paid
 * by hand.
 */
const DAY_0 = '2030-01-01T09:00:00.000Z';
const clock = onSimulatedClock(DAY_0, 'pay-manager@example.com', { DATA_DIR: mkdtempSync(path.join(tmpdir(), 'billstream-pay-')) });
const UNKNOWN = `inv_${'0'.repeat(32)}`;

let manager: { userId: string; token: string };
let admin: string;
let auditor: string;
let owner: { userId: string; token: string };
let stranger: { userId: string; token: string };
/** Invoices by customer: soft declines (owner's and stranger's), pm_ok (paid), another soft decline to write off, two drafts. */
let invoices: { mine: string; theirs: string; paid: string; writeOff: string; draft: string; voided: string };

/** A POST sends `{}` unless told otherwise; a GET no body. */
const call = (method: string, url: string, token: string, options: { headers?: Record<string, string> } = {}) =>
  clock.api.call(method, url, { token, ...(method === 'POST' && { body: {} }), ...(options.headers && { headers: options.headers }) });
const pay = (invoiceId: string, token: string, headers?: Record<string, string>) => call('POST', `/v1/invoices/${invoiceId}/pay`, token, { ...(headers && { headers }) });

const subscribe = async (name: string, ownerUserId: string, paymentMethod: string, draftInvoices = false, subscriptions = 1) => {
  const { post } = clock;
  const plan = await post('/v1/plans', { name: `Monthly ${name}`, pricingModel: 'flat_rate', amount: 3_000, currency: 'usd', interval: 'month' });
  const customer = await post('/v1/customers', { name, email: `ap@${name}.example`, ownerUserId, draftInvoices });
  await post(`/v1/customers/${customer.customerId}/payment-method`, { paymentMethod });
  const contract = await post('/v1/contracts', { customerId: customer.customerId, title: name });
  await post(`/v1/contracts/${contract.contractId}/activate`);
  const ids: string[] = [];
  for (let i = 0; i < subscriptions; i++) ids.push((await post('/v1/subscriptions', { contractId: contract.contractId, planId: plan.planId })).subscriptionId);
  return ids;
};

/** The invoice's events as the stream route serves them to a MANAGER. */
const events = async (invoiceId: string): Promise<Json[]> => (await call('GET', `/v1/streams/invoice-${invoiceId}?limit=1000`, manager.token)).body.data;
const resultOf = async (invoiceId: string, attempt: number) =>
  (await events(invoiceId)).find((e) => ['PaymentFailed', 'PaymentSucceeded'].includes(e.type) && e.data.attempt === attempt)?.type;
const chargeKeys = async (invoiceId: string) =>
  (await sql<{ key: string }>`select key from jobs.job_keys where key like ${`charge:${invoiceId}:%`} order by key`.execute(clock.system.db)).rows.map((r) => r.key);

beforeAll(async () => {
  const { api } = clock;
  manager = await api.userWithRole('MANAGER', 'pay-manager-2@example.com');
  admin = (await api.userWithRole('ADMIN', 'pay-admin@example.com')).token;
  auditor = (await api.userWithRole('AUDITOR', 'pay-auditor@example.com')).token;
  owner = await api.userWithRole('USER', 'pay-owner@example.com');
  stranger = await api.userWithRole('USER', 'pay-stranger@example.com');
  const [mine] = await subscribe('mine', owner.userId, 'pm_insufficient_funds');
  const [theirs] = await subscribe('theirs', stranger.userId, 'pm_insufficient_funds');
  const [paid] = await subscribe('paid', owner.userId, 'pm_ok');
  const [writeOff] = await subscribe('writeoff', owner.userId, 'pm_insufficient_funds');
  const [draft, voided] = await subscribe('drafts', owner.userId, 'pm_ok', true, 2);
  // Billing, attempt 1 of each finalised invoice and its result: the clock's advance waits for them all.
  const billed = await clock.post('/v1/test/clock/advance', { to: DAY_0 });
  const of = (subscriptionId: string | undefined) => billed.invoices.find((i: Json) => i.subscriptionId === subscriptionId).invoiceId as string;
  invoices = { mine: of(mine), theirs: of(theirs), paid: of(paid), writeOff: of(writeOff), draft: of(draft), voided: of(voided) };
  await clock.post(`/v1/invoices/${invoices.voided}/void`, {});
});

describe('POST /v1/invoices/:id/pay', () => {
  it('answers 202 with the next attempt and Location of its job, which carries the caller to the attempt’s events', async () => {
    expect(await resultOf(invoices.mine, 1)).toBe('PaymentFailed');
    const res = await pay(invoices.mine, manager.token);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const { jobId } = res.body.data;
    expect(res.body.data).toEqual({ invoiceId: invoices.mine, attempt: 2, jobId });
    expect(res.headers.get('location')).toBe(`/v1/jobs/${jobId}`);
    const job = await call('GET', `/v1/jobs/${jobId}`, manager.token);
    expect(job.status).toBe(200);
    expect(job.body.data).toMatchObject({ jobId, queue: 'charges', data: { invoiceId: invoices.mine, attempt: 2 } });

    await expect.poll(() => resultOf(invoices.mine, 2), { timeout: 15_000 }).toBe('PaymentFailed');
    const second = (await events(invoices.mine)).filter((e) => e.type.startsWith('Payment') && e.data.attempt === 2);
    expect(second.map((e) => e.type)).toEqual(['PaymentAttempted', 'PaymentFailed']);
    for (const e of second) expect(e.metadata, e.type).toMatchObject({ actor: { id: manager.userId, role: 'MANAGER' }, source: 'api' });
  });

  it('lets a USER pay its own customer’s invoice; another’s is 404 like an unknown one; an AUDITOR is 403', async () => {
    const own = await pay(invoices.theirs, stranger.token);
    expect(own.status, JSON.stringify(own.body)).toBe(202);
    expect(own.body.data).toMatchObject({ invoiceId: invoices.theirs, attempt: 2 });

    const foreign = await pay(invoices.mine, stranger.token);
    const unknown = await pay(UNKNOWN, stranger.token);
    expect([foreign.status, unknown.status]).toEqual([404, 404]);
    const { requestId: _a, ...foreignError } = foreign.body.error;
    const { requestId: _b, ...unknownError } = unknown.body.error;
    expect(foreignError).toEqual(unknownError);
    expect(foreignError).toMatchObject({ code: 'NOT_FOUND', reason: 'invoice.not_found' });
    expectEnvelope(foreign, 'foreign');

    const audited = await pay(invoices.mine, auditor);
    expect(audited.status).toBe(403);
    expectEnvelope(audited, 'auditor');
    expect(await chargeKeys(invoices.mine)).toEqual([`charge:${invoices.mine}:1`, `charge:${invoices.mine}:2`]);
  });

  it('refuses with 409 a paid, a void and a draft invoice, and enqueues nothing for them', async () => {
    const refusals: [string, string][] = [
      [invoices.paid, 'invoice.already_paid'],
      [invoices.voided, 'invoice.invalid_transition'],
      [invoices.draft, 'invoice.invalid_transition'],
    ];
    for (const [invoiceId, reason] of refusals) {
      const res = await pay(invoiceId, admin);
      expect(res.status, reason).toBe(409);
      expect(res.body.error, reason).toMatchObject({ code: 'CONFLICT', reason });
    }
    expect(await chargeKeys(invoices.paid)).toEqual([`charge:${invoices.paid}:1`]);
    expect(await chargeKeys(invoices.voided)).toEqual([]);
    expect(await chargeKeys(invoices.draft)).toEqual([]);
  });

  it('answers a retry with the same Idempotency-Key as the first time, even once that attempt has a result; without it, retries again', async () => {
    await expect.poll(() => resultOf(invoices.mine, 2), { timeout: 15_000 }).toBe('PaymentFailed');
    const key = { 'Idempotency-Key': 'pay-mine-3' };
    const first = await pay(invoices.mine, owner.token, key);
    expect(first.status).toBe(202);
    expect(first.body.data.attempt).toBe(3);
    await expect.poll(() => resultOf(invoices.mine, 3), { timeout: 15_000 }).toBe('PaymentFailed');
    const retried = await pay(invoices.mine, owner.token, key);
    expect(retried.status).toBe(202);
    expect(retried.body).toEqual(first.body);
    expect(retried.headers.get('location')).toBe(first.headers.get('location'));
    expect(await chargeKeys(invoices.mine)).toHaveLength(3);

    const next = await pay(invoices.mine, owner.token);
    expect(next.body.data.attempt).toBe(4);
    await expect.poll(() => resultOf(invoices.mine, 4), { timeout: 15_000 }).toBe('PaymentFailed');
  });
});

describe('POST /v1/invoices/:id/mark-uncollectible', () => {
  it('writes an OPEN invoice off for ADMIN and MANAGER, answering the invoice; a USER is 403; a paid one is 409', async () => {
    const user = await call('POST', `/v1/invoices/${invoices.writeOff}/mark-uncollectible`, owner.token);
    expect(user.status).toBe(403);
    expectEnvelope(user, 'user');

    const marked = await call('POST', `/v1/invoices/${invoices.writeOff}/mark-uncollectible`, admin);
    expect(marked.status, JSON.stringify(marked.body)).toBe(200);
    expect(marked.body.data).toMatchObject({ invoiceId: invoices.writeOff, status: 'UNCOLLECTIBLE' });
    expect(marked.headers.get('etag')).toMatch(/^"\d+"$/);
    expect(marked.body.position).toBe(marked.headers.get('x-position'));
    const again = await call('POST', `/v1/invoices/${invoices.writeOff}/mark-uncollectible`, manager.token);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ data: { status: 'UNCOLLECTIBLE' }, position: null });
    const written = (await events(invoices.writeOff)).find((e) => e.type === 'InvoiceMarkedUncollectible');
    expect(written.metadata.actor).toMatchObject({ role: 'ADMIN' });

    const refused = await call('POST', `/v1/invoices/${invoices.paid}/mark-uncollectible`, manager.token);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ reason: 'invoice.invalid_transition' });
    expect((await call('POST', `/v1/invoices/${UNKNOWN}/mark-uncollectible`, manager.token)).status).toBe(404);
  });
});
