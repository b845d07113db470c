import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/db.js';
import { onSimulatedClock } from './simulatedClock.js';
import { http, startTestSystem } from './support.js';

// A leap year: a Jan 31 anchor bills Feb 29.
const clock = onSimulatedClock('2028-01-31T10:00:00.000Z', 'clock-manager@example.com');
const { post } = clock;

describe('the test clock', () => {
  it('bills Feb 29, Mar 31, Apr 30 and May 31 for a Jan 31 anchor, stopping at each, then prorates a plan change', async () => {
    expect((await clock.api.call('GET', '/v1/test/clock', { token: clock.manager })).body.data.now).toBe('2028-01-31T10:00:00.000Z');
    const basic = await post('/v1/plans', { name: 'Basic', pricingModel: 'per_unit', amount: 3_000, currency: 'usd', interval: 'month' });
    const pro = await post('/v1/plans', { name: 'Pro', pricingModel: 'per_unit', amount: 6_000, currency: 'usd', interval: 'month' });
    const customer = await post('/v1/customers', { name: 'Acme', email: 'billing@acme.example' });
    // A card that pays: without one, dunning would cancel the subscription when grace ends (Mar 1).
    await post(`/v1/customers/${customer.customerId}/payment-method`, { paymentMethod: 'pm_ok' });
    const contract = await post('/v1/contracts', { customerId: customer.customerId, title: 'Hosting' });
    await post(`/v1/contracts/${contract.contractId}/activate`);
    const sub = await post('/v1/subscriptions', { contractId: contract.contractId, planId: basic.planId });
    expect(sub.createdAt).toBe('2028-01-31T10:00:00.000Z');

    const four = await post('/v1/test/clock/advance', { months: 4 });
    expect(four.now).toBe('2028-05-31T10:00:00.000Z');
    expect(four.invoices.map((i: { periodStart: string }) => i.periodStart)).toEqual([
      '2028-01-31T10:00:00.000Z',
      '2028-02-29T10:00:00.000Z',
      '2028-03-31T10:00:00.000Z',
      '2028-04-30T10:00:00.000Z',
      '2028-05-31T10:00:00.000Z',
    ]);
    expect(four.stops).toEqual(['2028-01-31T10:00:00.000Z', '2028-02-29T10:00:00.000Z', '2028-03-31T10:00:00.000Z', '2028-04-30T10:00:00.000Z', '2028-05-31T10:00:00.000Z']);

    // June 15, halfway through a 30-day period: Basic → Pro.
    await post('/v1/test/clock/advance', { to: '2028-06-15T10:00:00.000Z' });
    const changed = await post(`/v1/subscriptions/${sub.subscriptionId}/change-plan`, { planId: pro.planId });
    expect(changed.amount).toBe(6_000);
    const later = await post('/v1/test/clock/advance', { days: 1 });
    expect(later.invoices).toHaveLength(1);
    const invoice = await clock.api.call('GET', `/v1/invoices/${later.invoices[0].invoiceId}`, { token: clock.manager });
    expect(invoice.body.data.lines.map((l: { type: string; amount: number }) => [l.type, l.amount])).toEqual([
      ['proration_credit', -1_500],
      ['proration_debit', 3_000],
    ]);
    // The advance waited for the charge job: pm_ok paid it.
    expect(invoice.body.data).toMatchObject({ status: 'PAID', total: 1_500, number: '2028-000006' });
  });

  it('does not go back, and is a MANAGER’s to move', async () => {
    const back = await clock.api.call('POST', '/v1/test/clock/advance', { token: clock.manager, body: { to: '2020-01-01T00:00:00Z' } });
    expect(back.status).toBe(400);
    expect(back.body.error.reason).toBe('clock.backwards');
    const admin = (await clock.api.userWithRole('ADMIN', 'clock-admin@example.com')).token;
    expect((await clock.api.call('POST', '/v1/test/clock/advance', { token: admin, body: { days: 1 } })).status).toBe(403);
  });
});

describe('without CLOCK=simulated', () => {
  it('has no test clock routes, and no request moves the clock', async () => {
    const plain = await createTestDatabase();
    const normal = await startTestSystem(plain);
    try {
      const token = (await http(normal).userWithRole('MANAGER', 'plain-manager@example.com')).token;
      expect((await http(normal).call('GET', '/v1/test/clock', { token })).status).toBe(404);
      expect((await http(normal).call('POST', '/v1/test/clock/advance', { token, body: { days: 1 } })).status).toBe(404);
      expect(normal.routes.some((r) => r.path.startsWith('/v1/test'))).toBe(false);
    } finally {
      await normal.stop();
      await plain.close();
    }
  });
});

describe('a test clock in a process of role api', () => {
  it('runs the jobs its advance waits for: the charge of the invoice it bills', async () => {
    const database = await createTestDatabase();
    const system = await startTestSystem(database, { ROLE: 'api', CLOCK: 'simulated', CLOCK_START: '2029-03-01T10:00:00Z' });
    try {
      const api = http(system);
      const token = (await api.userWithRole('MANAGER', 'api-clock@example.com')).token;
      const post = async (path: string, body: unknown = {}) => (await api.call('POST', path, { token, body })).body.data;
      const plan = await post('/v1/plans', { name: 'Basic', pricingModel: 'flat_rate', amount: 3_000, currency: 'usd', interval: 'month' });
      const customer = await post('/v1/customers', { name: 'Acme', email: 'ap@acme.example' });
      await post(`/v1/customers/${customer.customerId}/payment-method`, { paymentMethod: 'pm_ok' });
      const contract = await post('/v1/contracts', { customerId: customer.customerId, title: 'Hosting' });
      await post(`/v1/contracts/${contract.contractId}/activate`);
      await post('/v1/subscriptions', { contractId: contract.contractId, planId: plan.planId });
      const advanced = await api.call('POST', '/v1/test/clock/advance', { token, body: { days: 1 } });
      expect(advanced.status).toBe(200);
      const invoice = await api.call('GET', `/v1/invoices/${advanced.body.data.invoices[0].invoiceId}`, { token });
      expect(invoice.body.data).toMatchObject({ status: 'PAID', payments: [{ attempt: 1, status: 'SUCCEEDED' }] });
    } finally {
      await system.stop();
      await database.close();
    }
  });
});
