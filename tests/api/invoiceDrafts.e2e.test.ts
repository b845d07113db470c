import { describe, expect, it } from 'vitest';
import { onSimulatedClock } from './simulatedClock.js';
import { expectEnvelope, type Json } from './support.js';

/**
 * A customer set to review drafts (Kill Bill's AUTO_INVOICING_DRAFT, Stripe's
 * auto_advance=false), over HTTP on a simulated clock: its invoices wait as
 * DRAFTs until someone finalises them.
 */
const clock = onSimulatedClock('2028-03-01T10:00:00.000Z', 'drafts-manager@example.com');
const { send, get } = clock;

describe('a customer who reviews drafts', () => {
  it('takes draftInvoices on registration and update, a boolean only, and shows it on a read and in the list', async () => {
    const plain = (await send('POST', '/v1/customers', { name: 'Plain', email: 'ap@plain.example' })).data;
    expect(plain.draftInvoices).toBe(false);
    const reviewing = (await send('POST', '/v1/customers', { name: 'Careful', email: 'ap@careful.example', draftInvoices: true })).data;
    expect(reviewing.draftInvoices).toBe(true);
    const { data, position } = await send('PATCH', `/v1/customers/${plain.customerId}`, { draftInvoices: true });
    expect(data).toMatchObject({ draftInvoices: true, revision: '1' });
    expect(await get(`/v1/customers/${plain.customerId}`)).toEqual(data);
    // The read model (read.customers.draft_invoices) presents it as the stream does.
    const listed = await get('/v1/customers', { 'X-Min-Position': position! });
    expect(listed.find((c: Json) => c.customerId === plain.customerId)).toEqual(data);
    expect(listed.find((c: Json) => c.customerId === reviewing.customerId)).toMatchObject({ draftInvoices: true });

    for (const [method, path, body] of [
      ['PATCH', `/v1/customers/${plain.customerId}`, { draftInvoices: 'yes' }],
      ['PATCH', `/v1/customers/${plain.customerId}`, { draftInvoices: null }],
      ['POST', '/v1/customers', { name: 'Bad', email: 'ap@bad.example', draftInvoices: 1 }],
    ] as const) {
      const res = await clock.api.call(method, path, { token: clock.manager, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expectEnvelope(res, JSON.stringify(body));
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
  });

  it('gets a DRAFT without a number when the clock bills it, keeps it a DRAFT through later runs, and a finalisation numbers it', async () => {
    const plan = (await send('POST', '/v1/plans', { name: 'Basic', pricingModel: 'per_unit', amount: 3_000, currency: 'usd', interval: 'month' })).data;
    const customer = (await send('POST', '/v1/customers', { name: 'Acme', email: 'billing@acme.example' })).data;
    const contract = (await send('POST', '/v1/contracts', { customerId: customer.customerId, title: 'Hosting' })).data;
    await send('POST', `/v1/contracts/${contract.contractId}/activate`);
    const sub = (await send('POST', '/v1/subscriptions', { contractId: contract.contractId, planId: plan.planId })).data;
    expect(sub.billingAnchor).toBe('2028-03-01T10:00:00.000Z');
    await send('PATCH', `/v1/customers/${customer.customerId}`, { draftInvoices: true });

    const march = (await send('POST', '/v1/test/clock/advance', { days: 1 })).data;
    const mine = march.invoices.filter((i: Json) => i.subscriptionId === sub.subscriptionId);
    expect(mine).toMatchObject([{ periodStart: '2028-03-01T10:00:00.000Z', total: 3_000 }]);
    const invoiceId = mine[0].invoiceId as string;
    expect(await get(`/v1/invoices/${invoiceId}`)).toMatchObject({ status: 'DRAFT', number: null, finalizedAt: null, total: 3_000 });
    expect(march.changes.filter((c: Json) => c.type === 'InvoiceFinalized')).toEqual([]);

    // April's run bills April, as a draft too, and leaves March's draft alone.
    const april = (await send('POST', '/v1/test/clock/advance', { to: '2028-04-02T10:00:00.000Z' })).data;
    expect(april.invoices.map((i: Json) => i.periodStart)).toEqual(['2028-04-01T10:00:00.000Z']);
    expect(await get(`/v1/invoices/${invoiceId}`)).toMatchObject({ status: 'DRAFT', number: null });
    expect(await get(`/v1/invoices/${april.invoices[0].invoiceId}`)).toMatchObject({ status: 'DRAFT', number: null });

    const finalized = await send('POST', `/v1/invoices/${invoiceId}/finalize`);
    expect(finalized.data).toMatchObject({ status: 'OPEN', number: '2028-000001', finalizedAt: '2028-04-02T10:00:00.000Z' });
    await send('POST', '/v1/test/clock/advance', { days: 1 });
    expect(await get(`/v1/invoices/${invoiceId}`)).toMatchObject({ status: 'OPEN', number: '2028-000001' });
    const drafts = await get(`/v1/invoices?subscriptionId=${sub.subscriptionId}&status=DRAFT`, { 'X-Min-Position': finalized.position! });
    expect(drafts.map((i: Json) => i.invoiceId)).toEqual([april.invoices[0].invoiceId]);
  });

  it("gives a draft's excess to the balance when it is finalised, once, and nothing when it is voided", async () => {
    const basic = (await send('POST', '/v1/plans', { name: 'Big', pricingModel: 'flat_rate', amount: 3_000, currency: 'usd', interval: 'month' })).data;
    const small = (await send('POST', '/v1/plans', { name: 'Small', pricingModel: 'flat_rate', amount: 600, currency: 'usd', interval: 'month' })).data;
    const tiny = (await send('POST', '/v1/plans', { name: 'Tiny', pricingModel: 'flat_rate', amount: 300, currency: 'usd', interval: 'month' })).data;
    const customer = (await send('POST', '/v1/customers', { name: 'Careful Two', email: 'ap@careful2.example', draftInvoices: true })).data;
    await send('POST', `/v1/customers/${customer.customerId}/payment-method`, { paymentMethod: 'pm_ok' });
    const contract = (await send('POST', '/v1/contracts', { customerId: customer.customerId, title: 'Hosting' })).data;
    await send('POST', `/v1/contracts/${contract.contractId}/activate`);
    const sub = (await send('POST', '/v1/subscriptions', { contractId: contract.contractId, planId: basic.planId })).data;
    const first = (await send('POST', '/v1/test/clock/advance', { days: 1 })).data.invoices.find((i: Json) => i.subscriptionId === sub.subscriptionId);
    await send('POST', `/v1/invoices/${first.invoiceId}/finalize`);
    await send('POST', '/v1/test/clock/advance', { days: 1 });
    expect(await get(`/v1/invoices/${first.invoiceId}`)).toMatchObject({ status: 'PAID', amountPaid: 3_000 });

    const credit = async () => (await get(`/v1/customers/${customer.customerId}`)).credit;
    const downgrade = async (planId: string) => {
      await send('POST', `/v1/subscriptions/${sub.subscriptionId}/change-plan`, { planId });
      const changed = (await send('POST', '/v1/test/clock/advance', { days: 0 })).data.invoices.find((i: Json) => i.subscriptionId === sub.subscriptionId);
      const invoice = await get(`/v1/invoices/${changed.invoiceId}`);
      expect(invoice).toMatchObject({ status: 'DRAFT', total: 0 });
      return invoice;
    };
    const excessOf = (invoice: Json) => invoice.lines.find((l: Json) => l.type === 'credit_to_balance').amount as number;
    const kept = await downgrade(small.planId);
    const excess = excessOf(kept);
    expect(excess).toBeGreaterThan(0);
    expect(await credit()).toEqual({});
    await send('POST', `/v1/invoices/${kept.invoiceId}/finalize`);
    await send('POST', '/v1/test/clock/advance', { days: 0 });
    expect(await get(`/v1/invoices/${kept.invoiceId}`)).toMatchObject({ status: 'PAID', amountDue: 0 });
    expect(await credit()).toEqual({ usd: excess });

    const voided = await downgrade(tiny.planId);
    expect(excessOf(voided)).toBeGreaterThan(0);
    await send('POST', `/v1/invoices/${voided.invoiceId}/void`);
    await send('POST', '/v1/test/clock/advance', { days: 0 });
    expect(await credit()).toEqual({ usd: excess });
  });
});
