import { describe, expect, it } from 'vitest';
import { onSimulatedClock } from './simulatedClock.js';
import { expectEnvelope, type Json } from './support.js';

/** Tax rates over HTTP: created by ADMIN and MANAGER, never edited, deactivated; read by every role. */
const clock = onSimulatedClock('2035-01-01T09:00:00.000Z', 'tax-manager@example.com');

describe('tax rates', () => {
  it('are created with a percentage of up to four decimals, read by anyone, listed by id a page at a time, and deactivated', async () => {
    const admin = (await clock.api.userWithRole('ADMIN', 'tax-admin@example.com')).token;
    const user = (await clock.api.userWithRole('USER', 'tax-user@example.com')).token;
    const call = (method: string, url: string, token: string, body?: unknown) => clock.api.call(method, url, { token, ...(body !== undefined && { body }) });

    const vat = await call('POST', '/v1/tax-rates', admin, { displayName: 'VAT', jurisdiction: 'DE', percentage: '19', inclusive: true });
    expect(vat.status, JSON.stringify(vat.body)).toBe(201);
    expect(vat.body.data).toMatchObject({ displayName: 'VAT', jurisdiction: 'DE', percentage: '19', inclusive: true, active: true, deactivatedAt: null, revision: '0' });
    const sales = (await call('POST', '/v1/tax-rates', clock.manager, { displayName: 'Sales tax', jurisdiction: 'US-CA', percentage: '7.2500', inclusive: false })).body.data;

    for (const body of [
      { displayName: 'Bad', jurisdiction: 'X', percentage: '7.12345', inclusive: false },
      { displayName: 'Bad', jurisdiction: 'X', percentage: '0', inclusive: false },
      { displayName: 'Bad', jurisdiction: 'X', percentage: '101', inclusive: false },
      { displayName: 'Bad', jurisdiction: 'X', percentage: 8.25, inclusive: false },
      { displayName: 'Bad', jurisdiction: 'X', percentage: '8' },
    ]) {
      const res = await call('POST', '/v1/tax-rates', admin, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expectEnvelope(res, JSON.stringify(body));
    }
    expect((await call('POST', '/v1/tax-rates', user, { displayName: 'Mine', jurisdiction: 'X', percentage: '1', inclusive: false })).status).toBe(403);

    expect((await call('GET', `/v1/tax-rates/${vat.body.data.taxRateId}`, user)).body.data).toEqual(vat.body.data);
    const head = (await clock.system.store.headPosition())!;
    const first = await clock.api.call('GET', '/v1/tax-rates?limit=1', { token: user, headers: { 'X-Min-Position': `${head.commit}/${head.prepare}` } });
    expect(first.body.data).toHaveLength(1);
    expect(first.body.page.hasMore).toBe(true);
    const second = await call('GET', `/v1/tax-rates?limit=1&cursor=${first.body.page.nextCursor}`, user);
    expect([...first.body.data, ...second.body.data].map((r: Json) => r.taxRateId).sort()).toEqual([vat.body.data.taxRateId, sales.taxRateId].sort());

    const deactivated = await call('POST', `/v1/tax-rates/${sales.taxRateId}/deactivate`, admin, {});
    expect(deactivated.body.data).toMatchObject({ active: false, deactivatedAt: '2035-01-01T09:00:00.000Z' });
    const again = await call('POST', `/v1/tax-rates/${sales.taxRateId}/deactivate`, admin, {});
    expect(again.status).toBe(200);
    expect(again.body.position).toBeNull();
    expect((await call('GET', `/v1/tax-rates/txr_${'0'.repeat(32)}`, user)).status).toBe(404);
  });
});

describe('attached to plans and customers', () => {
  it('sets an active rate on a plan and on a customer, removes it with null, and refuses an inactive or unknown one', async () => {
    const call = (method: string, url: string, body?: unknown) => clock.api.call(method, url, { token: clock.manager, ...(body !== undefined && { body }) });
    const rate = (await call('POST', '/v1/tax-rates', { displayName: 'GST', jurisdiction: 'AU', percentage: '10', inclusive: true })).body.data;
    const old = (await call('POST', '/v1/tax-rates', { displayName: 'Old GST', jurisdiction: 'AU', percentage: '9', inclusive: true })).body.data;
    await call('POST', `/v1/tax-rates/${old.taxRateId}/deactivate`, {});
    const plan = (await call('POST', '/v1/plans', { name: 'Taxed', pricingModel: 'flat_rate', amount: 1_100, currency: 'usd', interval: 'month' })).body.data;
    const customer = (await call('POST', '/v1/customers', { name: 'Taxed', email: 'ap@taxed.example' })).body.data;
    expect(plan.taxRateId).toBeNull();

    const onPlan = await call('POST', `/v1/plans/${plan.planId}/tax-rate`, { taxRateId: rate.taxRateId });
    expect(onPlan.body.data).toMatchObject({ taxRateId: rate.taxRateId });
    const onCustomer = await call('POST', `/v1/customers/${customer.customerId}/tax-rate`, { taxRateId: rate.taxRateId });
    expect(onCustomer.body.data).toMatchObject({ taxRateId: rate.taxRateId });
    // The lists (read models) say what the streams say.
    const listed = await clock.get(`/v1/customers`, { 'X-Min-Position': onCustomer.body.position });
    expect(listed.find((c: Json) => c.customerId === customer.customerId)).toEqual(onCustomer.body.data);

    const inactive = await call('POST', `/v1/plans/${plan.planId}/tax-rate`, { taxRateId: old.taxRateId });
    expect(inactive.status).toBe(409);
    expect(inactive.body.error.reason).toBe('tax_rate.inactive');
    expect((await call('POST', `/v1/customers/${customer.customerId}/tax-rate`, { taxRateId: `txr_${'0'.repeat(32)}` })).status).toBe(404);
    expect((await call('POST', `/v1/customers/${customer.customerId}/tax-rate`, { taxRateId: 'vat' })).status).toBe(400);
    const removed = await call('POST', `/v1/plans/${plan.planId}/tax-rate`, { taxRateId: null });
    expect(removed.body.data.taxRateId).toBeNull();
    const user = (await clock.api.userWithRole('USER', 'tax-user-2@example.com')).token;
    expect((await clock.api.call('POST', `/v1/plans/${plan.planId}/tax-rate`, { token: user, body: { taxRateId: null } })).status).toBe(403);
  });
});
