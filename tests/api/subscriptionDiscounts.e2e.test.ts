import { describe, expect, it } from 'vitest';
import { onSimulatedClock } from './simulatedClock.js';
import type { Json } from './support.js';

/** Coupons redeemed on subscriptions over HTTP, as on customers (coupons.e2e.test.ts): ADMIN and MANAGER give and take them. */
const clock = onSimulatedClock('2035-03-01T09:00:00.000Z', 'sub-coupon-manager@example.com');

const call = (method: string, url: string, body?: unknown, token = clock.manager) => clock.api.call(method, url, { token, ...(body !== undefined && { body }) });

/** A subscription on an ACTIVE contract of a new customer, owned by `ownerUserId` when given. */
const subscriptionOf = async (planId: string, name: string, ownerUserId?: string): Promise<string> => {
  const customerId = (await call('POST', '/v1/customers', { name, email: `ap@${name.replace(/\W/g, '')}.example`, ...(ownerUserId && { ownerUserId }) })).body.data.customerId;
  const contractId = (await call('POST', '/v1/contracts', { customerId, title: 'Deal' })).body.data.contractId;
  expect((await call('POST', `/v1/contracts/${contractId}/activate`, {})).status).toBe(200);
  const sub = await call('POST', '/v1/subscriptions', { contractId, planId });
  expect(sub.status, JSON.stringify(sub.body)).toBe(201);
  return sub.body.data.subscriptionId;
};

const timesRedeemed = async (couponId: string): Promise<number> => (await call('GET', `/v1/coupons/${couponId}`)).body.data.timesRedeemed;

describe('coupons redeemed on subscriptions', () => {
  it('at most maxRedemptions times when subscriptions race for it; one discount each, shown on GET, in the list and on the stream; DELETE takes it off', async () => {
    const planId = (await call('POST', '/v1/plans', { name: 'Monthly', pricingModel: 'flat_rate', amount: 4_000, currency: 'eur', interval: 'month' })).body.data.planId;
    const coupon = (await call('POST', '/v1/coupons', { name: 'Two only', percentOff: '15', duration: 'repeating', durationInPeriods: 2, maxRedemptions: 2 })).body.data;
    const other = (await call('POST', '/v1/coupons', { name: 'Ten euros', amountOff: 1_000, currency: 'eur', duration: 'once' })).body.data;
    const subs: string[] = [];
    for (let i = 0; i < 5; i++) subs.push(await subscriptionOf(planId, `racer ${i}`));

    const answers = await Promise.all(subs.map((id) => call('POST', `/v1/subscriptions/${id}/discount`, { couponId: coupon.couponId })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 409, 409, 409]);
    for (const refused of answers.filter((a) => a.status === 409)) expect(refused.body.error.reason).toBe('coupon.max_redemptions');
    expect(await timesRedeemed(coupon.couponId)).toBe(2);

    const holder = answers.find((a) => a.status === 200)!.body;
    const id: string = holder.data.subscriptionId;
    const discount = { couponId: coupon.couponId, redemptionId: expect.stringMatching(/^red_[0-9a-f]{32}$/), percentOff: '15', duration: 'repeating', durationInPeriods: 2 };
    expect(holder.data.discount).toEqual(discount);
    expect((await call('GET', `/v1/subscriptions/${id}`)).body.data).toEqual(holder.data);
    const listed = await clock.get('/v1/subscriptions', { 'X-Min-Position': holder.position });
    expect(listed.find((s: Json) => s.subscriptionId === id)).toEqual(holder.data);
    for (const refusedId of subs.filter((s) => !answers.some((a) => a.status === 200 && a.body.data.subscriptionId === s))) {
      expect((await call('GET', `/v1/subscriptions/${refusedId}`)).body.data.discount).toBeNull();
    }

    // What the billing engine reads: the event's exact shape on the subscription's stream.
    const stream = (await call('GET', `/v1/streams/subscription-${id}`)).body.data;
    expect(stream.at(-1)).toMatchObject({
      type: 'SubscriptionDiscountApplied',
      data: { subscriptionId: id, ...discount, redemptionId: holder.data.discount.redemptionId, appliedAt: '2035-03-01T09:00:00.000Z' },
    });
    expect(Object.keys(stream.at(-1).data).sort()).toEqual(['appliedAt', 'couponId', 'duration', 'durationInPeriods', 'percentOff', 'redemptionId', 'subscriptionId']);

    // The same coupon again is the same redemption and appends nothing; another coupon while one is held is refused, and takes no place.
    const again = await call('POST', `/v1/subscriptions/${id}/discount`, { couponId: coupon.couponId });
    expect(again.status).toBe(200);
    expect(again.body.data.revision).toBe(holder.data.revision);
    expect(await timesRedeemed(coupon.couponId)).toBe(2);
    const second = await call('POST', `/v1/subscriptions/${id}/discount`, { couponId: other.couponId });
    expect(second.status).toBe(409);
    expect(second.body.error.reason).toBe('subscription.discount_exists');
    expect(await timesRedeemed(other.couponId)).toBe(0);

    const removed = await call('DELETE', `/v1/subscriptions/${id}/discount`);
    expect(removed.status).toBe(200);
    expect(removed.body.data.discount).toBeNull();
    const removedEvent = (await call('GET', `/v1/streams/subscription-${id}`)).body.data.at(-1);
    expect(removedEvent).toMatchObject({
      type: 'SubscriptionDiscountRemoved',
      data: { subscriptionId: id, couponId: coupon.couponId, redemptionId: holder.data.discount.redemptionId, removedAt: '2035-03-01T09:00:00.000Z' },
    });
    expect(Object.keys(removedEvent.data).sort()).toEqual(['couponId', 'redemptionId', 'removedAt', 'subscriptionId']);
    const relisted = await clock.get('/v1/subscriptions', { 'X-Min-Position': removed.body.position });
    expect(relisted.find((s: Json) => s.subscriptionId === id).discount).toBeNull();
    // Nothing to remove answers 200 and appends nothing; the redemption still counts.
    const twice = await call('DELETE', `/v1/subscriptions/${id}/discount`);
    expect(twice.status).toBe(200);
    expect(twice.body.data.revision).toBe(removed.body.data.revision);
    expect(await timesRedeemed(coupon.couponId)).toBe(2);

    const replaced = await call('POST', `/v1/subscriptions/${id}/discount`, { couponId: other.couponId });
    expect(replaced.status).toBe(200);
    expect(replaced.body.data.discount).toEqual({ couponId: other.couponId, redemptionId: expect.stringMatching(/^red_/), amountOff: 1_000, currency: 'eur', duration: 'once' });
  });

  it('are refused on an ended or unknown subscription without taking a place; a retry once it ended or on a stale revision leaves the held place taken', async () => {
    const planId = (await call('POST', '/v1/plans', { name: 'Ending', pricingModel: 'flat_rate', amount: 2_000, currency: 'eur', interval: 'month' })).body.data.planId;
    const coupon = (await call('POST', '/v1/coupons', { name: 'Ended', percentOff: '50', duration: 'forever', maxRedemptions: 5 })).body.data;

    const ended = await subscriptionOf(planId, 'ended');
    expect((await call('POST', `/v1/subscriptions/${ended}/cancel`, {})).body.data.status).toBe('CANCELED');
    const refused = await call('POST', `/v1/subscriptions/${ended}/discount`, { couponId: coupon.couponId });
    expect(refused.status).toBe(409);
    expect(refused.body.error.reason).toBe('subscription.invalid_transition');
    expect((await call('DELETE', `/v1/subscriptions/${ended}/discount`)).body.error.reason).toBe('subscription.invalid_transition');
    const unknown = await call('POST', '/v1/subscriptions/sub_00000000000000000000000000000000/discount', { couponId: coupon.couponId });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.reason).toBe('subscription.not_found');
    expect(await timesRedeemed(coupon.couponId)).toBe(0);

    // A subscription that held the discount when it ended keeps it, and its redemption keeps its place when the coupon is asked again.
    const holding = await subscriptionOf(planId, 'holding');
    expect((await call('POST', `/v1/subscriptions/${holding}/discount`, { couponId: coupon.couponId })).status).toBe(200);
    expect((await call('POST', `/v1/subscriptions/${holding}/cancel`, {})).body.data).toMatchObject({ status: 'CANCELED', discount: { couponId: coupon.couponId } });
    expect((await call('POST', `/v1/subscriptions/${holding}/discount`, { couponId: coupon.couponId })).status).toBe(409);
    expect(await timesRedeemed(coupon.couponId)).toBe(1);

    // The coupon a subscription holds, asked again on a stale revision: 412, and its place stays taken.
    const live = await subscriptionOf(planId, 'stale');
    const held = await call('POST', `/v1/subscriptions/${live}/discount`, { couponId: coupon.couponId });
    expect(held.status).toBe(200);
    const stale = await clock.api.call('POST', `/v1/subscriptions/${live}/discount`, { token: clock.manager, body: { couponId: coupon.couponId }, headers: { 'If-Match': '"0"' } });
    expect(stale.status).toBe(412);
    expect(await timesRedeemed(coupon.couponId)).toBe(2);
    expect((await call('GET', `/v1/subscriptions/${live}`)).body.data.discount).toEqual(held.body.data.discount);
  });

  it('are staff’s to give: a USER, even the owner, gets 403 on both routes; a bad coupon id is 400', async () => {
    const owner = await clock.api.userWithRole('USER', 'sub-coupon-owner@example.com');
    const planId = (await call('POST', '/v1/plans', { name: 'Owned', pricingModel: 'flat_rate', amount: 1_000, currency: 'eur', interval: 'month' })).body.data.planId;
    const coupon = (await call('POST', '/v1/coupons', { name: 'Not for users', percentOff: '99', duration: 'once' })).body.data;
    const id = await subscriptionOf(planId, 'owned', owner.userId);
    expect((await call('GET', `/v1/subscriptions/${id}`, undefined, owner.token)).status).toBe(200);

    expect((await call('POST', `/v1/subscriptions/${id}/discount`, { couponId: coupon.couponId }, owner.token)).status).toBe(403);
    expect((await call('DELETE', `/v1/subscriptions/${id}/discount`, undefined, owner.token)).status).toBe(403);
    expect(await timesRedeemed(coupon.couponId)).toBe(0);

    const admin = (await clock.api.userWithRole('ADMIN', 'sub-coupon-admin@example.com')).token;
    const given = await call('POST', `/v1/subscriptions/${id}/discount`, { couponId: coupon.couponId }, admin);
    expect(given.status).toBe(200);
    expect((await call('DELETE', `/v1/subscriptions/${id}/discount`, undefined, owner.token)).status).toBe(403);
    expect((await call('GET', `/v1/subscriptions/${id}`, undefined, owner.token)).body.data.discount).toMatchObject({ couponId: coupon.couponId });

    const bad = await call('POST', `/v1/subscriptions/${id}/discount`, { couponId: 'not-a-coupon' });
    expect(bad.status).toBe(400);
    expect((await call('POST', `/v1/subscriptions/${id}/discount`, { couponId: coupon.couponId, extra: 1 })).status).toBe(400);
  });
});
