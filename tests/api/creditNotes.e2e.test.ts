import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { onSimulatedClock } from './simulatedClock.js';
import { expectEnvelope, type Json } from './support.js';

/**
 * Credit follows what was paid, and credit notes, over HTTP on a test clock
 * from Jan 1, 2031 (a 31-day month: one day used of a 3000 period leaves
 * 3000 × 30/31 = 2903 unused).
 */
const DAY_0 = '2031-01-01T09:00:00.000Z';
const clock = onSimulatedClock(DAY_0, 'cn-manager@example.com', { DATA_DIR: mkdtempSync(path.join(tmpdir(), 'billstream-cn-')) });

let owner: { userId: string; token: string };
let stranger: string;
let plan: string;

const call = (method: string, url: string, token: string, body?: unknown) => clock.api.call(method, url, { token, ...(method === 'POST' && { body: body ?? {} }) });
const customerOf = (customerId: string) => clock.get(`/v1/customers/${customerId}`);
const invoice = (invoiceId: string) => clock.get(`/v1/invoices/${invoiceId}`);
const settle = () => clock.post('/v1/test/clock/advance', { days: 0 });

/** A customer the owner owns, with `paymentMethod`, and `n` subscriptions of the plan, billed on the clock. */
const subscribed = async (name: string, paymentMethod: string, n = 1) => {
  const customer = await clock.post('/v1/customers', { name, email: `ap@${name}.example`, ownerUserId: owner.userId });
  await clock.post(`/v1/customers/${customer.customerId}/payment-method`, { paymentMethod });
  const contract = await clock.post('/v1/contracts', { customerId: customer.customerId, title: name });
  await clock.post(`/v1/contracts/${contract.contractId}/activate`);
  const subscriptions: string[] = [];
  for (let i = 0; i < n; i++) subscriptions.push((await clock.post('/v1/subscriptions', { contractId: contract.contractId, planId: plan })).subscriptionId);
  const billed = await settle();
  const invoices = subscriptions.map((s) => billed.invoices.find((i: Json) => i.subscriptionId === s).invoiceId as string);
  return { customerId: customer.customerId as string, subscriptions, invoices };
};

beforeAll(async () => {
  owner = await clock.api.userWithRole('USER', 'cn-owner@example.com');
  stranger = (await clock.api.userWithRole('USER', 'cn-stranger@example.com')).token;
  plan = (await clock.post('/v1/plans', { name: 'Monthly', pricingModel: 'flat_rate', amount: 3_000, currency: 'usd', interval: 'month' })).planId;
});

describe('credit for time never paid', () => {
  it('a cancellation of an unpaid period reduces that invoice by a credit note, and gives the balance nothing to spend elsewhere', async () => {
    const { customerId, subscriptions, invoices } = await subscribed('unpaid', 'pm_insufficient_funds', 2);
    await clock.post('/v1/test/clock/advance', { days: 1 });
    expect(await invoice(invoices[0]!)).toMatchObject({ status: 'OPEN', amountDue: 3_000 });

    const canceled = await call('POST', `/v1/subscriptions/${subscriptions[0]}/cancel`, owner.token);
    expect(canceled.status, JSON.stringify(canceled.body)).toBe(200);
    await settle();
    // 2903 of unused time was billed and never paid: it comes off that invoice, not onto the balance.
    await expect.poll(async () => (await invoice(invoices[0]!)).amountDue, { timeout: 15_000 }).toBe(97);
    expect((await customerOf(customerId)).credit).toEqual({});
    const notes = (await call('GET', `/v1/invoices/${invoices[0]}/credit-notes`, owner.token)).body.data;
    expect(notes).toMatchObject([{ invoiceId: invoices[0], reason: 'order_change', automatic: true, amount: 2_903, prePayment: 2_903, refund: 0, credit: 0 }]);
    expect(notes[0].number).toMatch(/^CN-2031-\d{6}$/);
    // The other subscription's invoice is not paid by credit that was never paid for.
    expect(await invoice(invoices[1]!)).toMatchObject({ status: 'OPEN', amountDue: 3_000 });
    // The list (the read model) says what the invoice's stream says.
    const head = (await clock.system.store.headPosition())!;
    const listed = await clock.get(`/v1/invoices?customerId=${customerId}`, { 'X-Min-Position': `${head.commit}/${head.prepare}` });
    expect(listed.find((i: Json) => i.invoiceId === invoices[0]).amountDue).toBe(97);
  });

  it.each([
    ['voided', (invoiceId: string) => call('POST', `/v1/invoices/${invoiceId}/void`, clock.manager)],
    ['credited in full', (invoiceId: string) => call('POST', `/v1/invoices/${invoiceId}/credit-notes`, clock.manager, { reason: 'duplicate', amount: 3_000 })],
  ])('gives nothing back for time on an invoice %s before the cancellation', async (label, settleIt) => {
    const { customerId, subscriptions, invoices } = await subscribed(`gone-${label.replace(/ /g, '-')}`, 'pm_insufficient_funds');
    await clock.post('/v1/test/clock/advance', { days: 1 });
    expect((await settleIt(invoices[0]!)).status).toBeLessThan(300);
    expect((await call('POST', `/v1/subscriptions/${subscriptions[0]}/cancel`, owner.token)).status).toBe(200);
    const changed = (await settle()).invoices.find((i: Json) => i.subscriptionId === subscriptions[0]);
    const lines = (await invoice(changed.invoiceId)).lines.map((l: Json) => [l.type, l.amount]);
    expect(lines).toEqual([['proration_credit', -2_903], ['credit_withheld', 2_903]]);
    await settle();
    expect((await customerOf(customerId)).credit).toEqual({});
  });
});

describe('credit notes over HTTP', () => {
  let paid: { customerId: string; invoices: string[] };
  beforeAll(async () => {
    paid = await subscribed('paid', 'pm_ok');
  });

  it('has the invoice paid by its charge', async () => {
    await expect.poll(async () => (await invoice(paid.invoices[0]!)).status, { timeout: 15_000 }).toBe('PAID');
  });

  it('credits a paid invoice by amount, the part beyond what is due split into credit and out of band exactly', async () => {
    const invoiceId = paid.invoices[0]!;
    const mismatched = await call('POST', `/v1/invoices/${invoiceId}/credit-notes`, clock.manager, { reason: 'product_unsatisfactory', amount: 1_000, credit: 600 });
    expect(mismatched.status).toBe(409);
    expect(mismatched.body.error.reason).toBe('credit_note.split_mismatch');
    const issued = await call('POST', `/v1/invoices/${invoiceId}/credit-notes`, clock.manager, { reason: 'product_unsatisfactory', amount: 1_000, credit: 600, outOfBand: 400 });
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    expect(issued.body.data).toMatchObject({ invoiceId, amount: 1_000, prePayment: 0, credit: 600, outOfBand: 400, refund: 0, status: 'ISSUED', automatic: false });
    expect(issued.body.data.lines).toEqual([{ itemKey: expect.any(String), amount: 1_000 }]);
    await expect.poll(async () => (await customerOf(paid.customerId)).credit, { timeout: 15_000 }).toEqual({ usd: 600 });
  });

  it('never credits more than the invoice: a line beyond what is left, the total beyond, and 0 are refused', async () => {
    const invoiceId = paid.invoices[0]!;
    const itemKey = (await invoice(invoiceId)).lines[0].itemKey as string;
    const beyond = await call('POST', `/v1/invoices/${invoiceId}/credit-notes`, clock.manager, { reason: 'other', lines: [{ itemKey, amount: 2_001 }], credit: 2_001 });
    expect(beyond.body.error.reason).toBe('credit_note.exceeds_line');
    const zero = await call('POST', `/v1/invoices/${invoiceId}/credit-notes`, clock.manager, { reason: 'other', amount: 0 });
    expect(zero.status).toBe(400);
    expectEnvelope(zero, 'zero');
    const rest = await call('POST', `/v1/invoices/${invoiceId}/credit-notes`, clock.manager, { reason: 'duplicate', lines: [{ itemKey, amount: 2_000 }], outOfBand: 2_000 });
    expect(rest.status, JSON.stringify(rest.body)).toBe(201);
    const more = await call('POST', `/v1/invoices/${invoiceId}/credit-notes`, clock.manager, { reason: 'duplicate', amount: 1, outOfBand: 1 });
    expect(more.status).toBe(409);
    expect(more.body.error.reason).toBe('credit_note.exceeds_invoice');
  });

  it('numbers credit notes per year without gaps, lets the owning USER read them and no one else, and voids one that moved no money', async () => {
    const settled = await clock.get(`/v1/credit-notes?customerId=${paid.customerId}`);
    const numbers = settled.map((n: Json) => Number(n.number.slice(-6)));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    const all = (await clock.get('/v1/credit-notes?limit=100')).map((n: Json) => Number(n.number.slice(-6))).sort((a: number, b: number) => a - b);
    expect(all).toEqual(all.map((_: number, i: number) => i + 1));

    const mine = await call('GET', `/v1/credit-notes/${settled[0].creditNoteId}`, owner.token);
    expect(mine.status).toBe(200);
    expect((await call('GET', `/v1/credit-notes/${settled[0].creditNoteId}`, stranger)).status).toBe(404);
    expect((await call('GET', `/v1/credit-notes?customerId=${paid.customerId}`, stranger)).body.data).toEqual([]);
    expect((await call('POST', `/v1/invoices/${paid.invoices[0]}/credit-notes`, owner.token, { reason: 'other', amount: 1 })).status).toBe(403);
    // A cursor naming a day that does not exist is a 400, not a 500.
    const feb30 = Buffer.from(`2031-02-30T00:00:00.000Z|cn_${'0'.repeat(32)}`).toString('base64url');
    const forged = await call('GET', `/v1/credit-notes?cursor=${feb30}`, clock.manager);
    expect(forged.status).toBe(400);
    expectEnvelope(forged, 'forged cursor');
    const forgedRefund = await call('GET', `/v1/refunds?cursor=${Buffer.from(`2031-02-30T00:00:00.000Z|re_${'0'.repeat(32)}`).toString('base64url')}`, clock.manager);
    expect(forgedRefund.status).toBe(400);

    // It gave credit that may be spent already: not voided.
    const refused = await call('POST', `/v1/credit-notes/${settled[0].creditNoteId}/void`, clock.manager);
    expect(refused.status).toBe(409);
    expect(refused.body.error.reason).toBe('credit_note.cannot_void');
  });
});

describe('refunds', () => {
  const refundsOf = async (invoiceId: string) => (await call('GET', `/v1/refunds?invoiceId=${invoiceId}`, clock.manager)).body.data as Json[];
  const paidInvoice = async (name: string, paymentMethod: string) => {
    const { customerId, invoices } = await subscribed(name, paymentMethod);
    await expect.poll(async () => (await invoice(invoices[0]!)).status, { timeout: 15_000 }).toBe('PAID');
    return { customerId, invoiceId: invoices[0]! };
  };

  it('refunds part of the charge that paid an invoice, once, as a job; never more than the charge paid', async () => {
    const { invoiceId } = await paidInvoice('refunded', 'pm_ok');
    const refunded = await call('POST', `/v1/invoices/${invoiceId}/credit-notes`, clock.manager, { reason: 'other', amount: 1_200, refund: 1_200, outOfBand: 0, credit: 0 });
    expect(refunded.status).toBe(201);
    const beyond = await call('POST', `/v1/invoices/${invoiceId}/credit-notes`, clock.manager, { reason: 'other', amount: 1_801, refund: 1_801 });
    expect(beyond.status).toBe(409);
    expect(beyond.body.error.reason).toBe('credit_note.exceeds_invoice');
    await settle();
    await expect.poll(async () => (await refundsOf(invoiceId)).map((r) => [r.status, r.amount]), { timeout: 15_000 }).toEqual([['SUCCEEDED', 1_200]]);
    const [refund] = await refundsOf(invoiceId);
    expect(refund).toMatchObject({ cause: { kind: 'credit_note', creditNoteId: refunded.body.data.creditNoteId }, chargeId: expect.stringMatching(/^ch_sim_/) });
  });

  it('gives a refund the gateway declines to the customer’s balance instead', async () => {
    const { customerId, invoiceId } = await paidInvoice('declined', 'pm_refund_fails');
    expect((await call('POST', `/v1/invoices/${invoiceId}/credit-notes`, clock.manager, { reason: 'other', amount: 500, refund: 500 })).status).toBe(201);
    await settle();
    await expect.poll(async () => (await refundsOf(invoiceId)).map((r) => [r.status, r.failureCode]), { timeout: 15_000 }).toEqual([['FAILED', 'refund_declined']]);
    await expect.poll(async () => (await customerOf(customerId)).credit, { timeout: 15_000 }).toEqual({ usd: 500 });
  });

  it('leaves the ledger reconciled: trial balance 0, credit, receivable and cash (charges less refunds) as the streams and the gateway say', async () => {
    const head = (await clock.system.store.headPosition())!;
    const headers = { 'X-Min-Position': `${head.commit}/${head.prepare}` };
    const r = (await clock.api.call('GET', '/v1/ledger/reconciliation', { token: clock.manager, headers })).body.data;
    expect(r.checks.filter((c: Json) => !c.ok)).toEqual([]);
    expect(r.openClearings).toEqual([]);
    expect(r.ok).toBe(true);
    const cash = r.checks.find((c: Json) => c.check === 'cash');
    expect(cash.expected).toBeGreaterThan(0);
  });
});
