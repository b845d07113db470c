import { describe, expect, it } from 'vitest';
import { onSimulatedClock } from './simulatedClock.js';
import type { Json } from './support.js';

/**
 * Issue 9's "done when": a contract suspended in the middle of a paid period,
 * over HTTP on a simulated clock. The contract cascade pauses the
 * subscription; billing gives back the unused days, which, with nothing to
 * pay on that invoice, go to the customer's credit; the resume, in the middle
 * of a later month, starts a new period billed at once and spends that credit.
 * Every wait is the clock's advance, which answers once the triggers have run
 * and the read models and cascades have settled.
 */
const { post, get } = onSimulatedClock('2029-01-01T10:00:00.000Z', 'suspension-manager@example.com');
const linesOf = (invoice: Json) => invoice.lines.map((l: Json) => [l.type, l.amount, l.period.start, l.period.end]);

describe('a contract suspended in the middle of a period', () => {
  it('pauses its subscription, gives the unused days back as credit, and spends that credit on the period its resume starts', async () => {
    const plan = await post('/v1/plans', { name: 'Basic', pricingModel: 'per_unit', amount: 3_000, currency: 'usd', interval: 'month' });
    const customer = await post('/v1/customers', { name: 'Acme', email: 'billing@acme.example' });
    // A card that pays: this is about the suspension, not dunning.
    await post(`/v1/customers/${customer.customerId}/payment-method`, { paymentMethod: 'pm_ok' });
    const contract = await post('/v1/contracts', { customerId: customer.customerId, title: 'Hosting' });
    expect((await post(`/v1/contracts/${contract.contractId}/activate`)).status).toBe('ACTIVE');
    const sub = await post('/v1/subscriptions', { contractId: contract.contractId, planId: plan.planId });
    expect(sub).toMatchObject({ status: 'ACTIVE', billingAnchor: '2029-01-01T10:00:00.000Z', currentPeriodEnd: '2029-02-01T10:00:00.000Z' });
    const invoicesOfSub = (answer: Json) => answer.invoices.filter((i: Json) => i.subscriptionId === sub.subscriptionId);

    // January is billed in advance at its start: 3000, finalised.
    const toMid = await post('/v1/test/clock/advance', { to: '2029-01-12T10:00:00.000Z' });
    const [january] = invoicesOfSub(toMid);
    expect(january).toMatchObject({ periodStart: '2029-01-01T10:00:00.000Z', total: 3_000 });
    // pm_ok paid it; the pause's invoice below totals 0 and is paid without a charge.
    expect(await get(`/v1/invoices/${january.invoiceId}`)).toMatchObject({ status: 'PAID', number: '2029-000001', total: 3_000 });

    // Jan 12, 10:00: 11 of January's 31 days used.
    expect(await post(`/v1/contracts/${contract.contractId}/suspend`, { reason: 'unpaid' })).toMatchObject({ status: 'SUSPENDED' });
    const afterSuspend = await post('/v1/test/clock/advance', { days: 1 });
    expect(await get(`/v1/subscriptions/${sub.subscriptionId}`)).toMatchObject({
      status: 'PAUSED',
      pausedBy: 'contract',
      pausedAt: '2029-01-12T10:00:00.000Z',
    });

    // The pause's own invoice (caused by the change, so no period start). Unused: Jan 12 → Feb 1 by calendar
    // date = 20 of the 31 days paid for; 3000 × 20/31 = 1935.48…, rounded half-even to 1935. The items sum to
    // −1935, so a credit_to_balance line of +1935 brings the total to 0 and the 1935 goes to the customer.
    const [pause] = invoicesOfSub(afterSuspend);
    expect(invoicesOfSub(afterSuspend)).toHaveLength(1);
    expect(pause).toMatchObject({ periodStart: null, total: 0 });
    const pauseInvoice = await get(`/v1/invoices/${pause.invoiceId}`);
    expect(linesOf(pauseInvoice)).toEqual([
      ['proration_credit', -1_935, '2029-01-12T10:00:00.000Z', '2029-02-01T10:00:00.000Z'],
      ['credit_to_balance', 1_935, '2029-01-12T10:00:00.000Z', '2029-02-01T10:00:00.000Z'],
    ]);
    expect(pauseInvoice).toMatchObject({ status: 'PAID', number: '2029-000002', subtotal: 0, total: 0, cause: { kind: 'change' } });
    expect((await get(`/v1/customers/${customer.customerId}`)).credit).toEqual({ usd: 1_935 });

    // Paused: Feb 1 and Mar 1 bill nothing.
    const whilePaused = await post('/v1/test/clock/advance', { to: '2029-03-16T10:00:00.000Z' });
    expect(invoicesOfSub(whilePaused)).toEqual([]);

    // Resumed on Mar 16, 10:00: a new period Mar 16 → Apr 16 starts and is billed at once,
    // 3000, less the customer's 1935 of credit: 1065 to pay, and no credit left.
    expect(await post(`/v1/contracts/${contract.contractId}/resume`)).toMatchObject({ status: 'ACTIVE' });
    const afterResume = await post('/v1/test/clock/advance', { days: 1 });
    expect(await get(`/v1/subscriptions/${sub.subscriptionId}`)).toMatchObject({
      status: 'ACTIVE',
      pausedBy: null,
      pausedAt: null,
      billingAnchor: '2029-03-16T10:00:00.000Z',
      currentPeriodStart: '2029-03-16T10:00:00.000Z',
      currentPeriodEnd: '2029-04-16T10:00:00.000Z',
    });
    const [resumed] = invoicesOfSub(afterResume);
    expect(invoicesOfSub(afterResume)).toHaveLength(1);
    const resumeInvoice = await get(`/v1/invoices/${resumed.invoiceId}`);
    expect(linesOf(resumeInvoice)).toEqual([
      ['plan_charge', 3_000, '2029-03-16T10:00:00.000Z', '2029-04-16T10:00:00.000Z'],
      ['credit_applied', -1_935, '2029-03-16T10:00:00.000Z', '2029-04-16T10:00:00.000Z'],
    ]);
    // It bills 3000; the pause's credit pays 1935 of it, a charge the rest.
    expect(resumeInvoice).toMatchObject({ status: 'PAID', number: '2029-000003', total: 3_000, creditApplied: 1_935, amountPaid: 1_065, amountDue: 0, createdAt: '2029-03-16T10:00:00.000Z' });
    expect((await get(`/v1/customers/${customer.customerId}`)).credit).toEqual({ usd: 0 });

    // The subscription's whole bill, from the read model: January, the pause's credit, the resumed period.
    const listed = await get(`/v1/invoices?subscriptionId=${sub.subscriptionId}`);
    expect(listed.map((i: Json) => [i.number, i.total])).toEqual([
      ['2029-000001', 3_000],
      ['2029-000002', 0],
      ['2029-000003', 3_000],
    ]);
  });
});
