import { describe, expect, it } from 'vitest';
import { onSimulatedClock } from './simulatedClock.js';
import { expectEnvelope, type Json } from './support.js';

/** Coupons over HTTP: created by ADMIN and MANAGER, never edited, archived; read by staff. */
const clock = onSimulatedClock('2035-02-01T09:00:00.000Z', 'coupon-manager@example.com');

describe('coupons', () => {
  it('take a percentage or an amount in a currency off, for once, N periods or forever; bad terms are 400; a USER sees none', async () => {
    const admin = (await clock.api.userWithRole('ADMIN', 'coupon-admin@example.com')).token;
    const user = (await clock.api.userWithRole('USER', 'coupon-user@example.com')).token;
    const call = (method: string, url: string, token: string, body?: unknown) => clock.api.call(method, url, { token, ...(body !== undefined && { body }) });
    const spring = await call('POST', '/v1/coupons', admin, { name: 'Spring', percentOff: '12.5', duration: 'repeating', durationInPeriods: 3, maxRedemptions: 100, redeemBy: '2035-05-01T00:00:00+02:00' });
    expect(spring.status, JSON.stringify(spring.body)).toBe(201);
    expect(spring.body.data).toMatchObject({ percentOff: '12.5', amountOff: null, duration: 'repeating', durationInPeriods: 3, maxRedemptions: 100, redeemBy: '2035-04-30T22:00:00.000Z', timesRedeemed: 0, status: 'ACTIVE' });
    const tenOff = await call('POST', '/v1/coupons', clock.manager, { name: 'Ten off', amountOff: 1_000, currency: 'usd', duration: 'once' });
    expect(tenOff.status).toBe(201);
    for (const body of [
      { name: 'Both', percentOff: '10', amountOff: 100, currency: 'usd', duration: 'once' },
      { name: 'No currency', amountOff: 100, duration: 'once' },
      { name: 'Periods on forever', percentOff: '10', duration: 'forever', durationInPeriods: 2 },
      { name: 'Three decimals', percentOff: '10.125', duration: 'once' },
      { name: 'Over 100', percentOff: '100.5', duration: 'once' },
    ]) {
      const res = await call('POST', '/v1/coupons', admin, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expectEnvelope(res, body.name);
    }
    expect((await call('POST', '/v1/coupons', user, { name: 'Mine', percentOff: '50', duration: 'once' })).status).toBe(403);
    expect((await call('GET', `/v1/coupons/${spring.body.data.couponId}`, user)).status).toBe(404);
    expect((await call('GET', '/v1/coupons', user)).status).toBe(403);
    const head = (await clock.system.store.headPosition())!;
    const listed = await clock.api.call('GET', '/v1/coupons', { token: admin, headers: { 'X-Min-Position': `${head.commit}/${head.prepare}` } });
    expect(listed.body.data).toHaveLength(2);
    const archived = await call('POST', `/v1/coupons/${tenOff.body.data.couponId}/archive`, admin, {});
    expect(archived.body.data).toMatchObject({ status: 'ARCHIVED', archivedAt: '2035-02-01T09:00:00.000Z' });
  });
});

describe('redeemed on customers', () => {
  it('at most maxRedemptions times when ten customers race for it, each holding one discount, on its stream and in the list', async () => {
    const call = (method: string, url: string, body?: unknown) => clock.api.call(method, url, { token: clock.manager, ...(body !== undefined && { body }) });
    const coupon = (await call('POST', '/v1/coupons', { name: 'Three only', percentOff: '20', duration: 'forever', maxRedemptions: 3 })).body.data;
    const other = (await call('POST', '/v1/coupons', { name: 'Other', amountOff: 500, currency: 'usd', duration: 'once' })).body.data;
    const customers: string[] = [];
    for (let i = 0; i < 10; i++) customers.push((await call('POST', '/v1/customers', { name: `racer ${i}`, email: `ap@racer${i}.example` })).body.data.customerId);

    const answers = await Promise.all(customers.map((id) => call('POST', `/v1/customers/${id}/discount`, { couponId: coupon.couponId })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 200, 200, 409, 409, 409, 409, 409, 409, 409]);
    for (const refused of answers.filter((a) => a.status === 409)) expect(refused.body.error.reason).toBe('coupon.max_redemptions');
    expect((await call('GET', `/v1/coupons/${coupon.couponId}`)).body.data.timesRedeemed).toBe(3);

    const holder = answers.find((a) => a.status === 200)!.body;
    expect(holder.data.discount).toMatchObject({ couponId: coupon.couponId, percentOff: '20', duration: 'forever', redemptionId: expect.stringMatching(/^red_/) });
    const listed = await clock.get('/v1/customers', { 'X-Min-Position': holder.position });
    expect(listed.find((c: Json) => c.customerId === holder.data.customerId)).toEqual(holder.data);

    // The same coupon again is the same redemption; another coupon while one is held is refused, and its place given back.
    expect((await call('POST', `/v1/customers/${holder.data.customerId}/discount`, { couponId: coupon.couponId })).status).toBe(200);
    const second = await call('POST', `/v1/customers/${holder.data.customerId}/discount`, { couponId: other.couponId });
    expect(second.status).toBe(409);
    expect(second.body.error.reason).toBe('customer.discount_exists');
    expect((await call('GET', `/v1/coupons/${other.couponId}`)).body.data.timesRedeemed).toBe(0);
    const removed = await call('DELETE', `/v1/customers/${holder.data.customerId}/discount`);
    expect(removed.body.data.discount).toBeNull();
    // Refused after its redemption (a stale revision): the place is given back; asked again, it is redeemed again, and counts.
    const stale = await clock.api.call('POST', `/v1/customers/${holder.data.customerId}/discount`, { token: clock.manager, body: { couponId: other.couponId }, headers: { 'If-Match': '"0"' } });
    expect(stale.status).toBe(412);
    expect((await call('GET', `/v1/coupons/${other.couponId}`)).body.data.timesRedeemed).toBe(0);
    expect((await call('POST', `/v1/customers/${holder.data.customerId}/discount`, { couponId: other.couponId })).status).toBe(200);
    expect((await call('GET', `/v1/coupons/${other.couponId}`)).body.data.timesRedeemed).toBe(1);
  });
});

describe('redeemed twice at once', () => {
  it('by two identical requests on one revision: one applies, and the place it holds is never given back by the other', async () => {
    const call = (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
      clock.api.call(method, url, { token: clock.manager, headers, ...(body !== undefined && { body }) });
    const coupon = (await call('POST', '/v1/coupons', { name: 'Twins', percentOff: '5', duration: 'forever', maxRedemptions: 10 })).body.data;
    for (let i = 0; i < 6; i++) {
      const customer = (await call('POST', '/v1/customers', { name: `twin ${i}`, email: `ap@twin${i}.example` })).body.data;
      const ifMatch = { 'If-Match': `"${customer.revision}"` };
      const answers = await Promise.all([0, 1].map(() => call('POST', `/v1/customers/${customer.customerId}/discount`, { couponId: coupon.couponId }, ifMatch)));
      expect(answers.map((a) => a.status)).toContain(200);
      const held = (await call('GET', `/v1/customers/${customer.customerId}`)).body.data.discount;
      expect(held?.couponId).toBe(coupon.couponId);
    }
    expect((await call('GET', `/v1/coupons/${coupon.couponId}`)).body.data.timesRedeemed).toBe(6);
  });
});
