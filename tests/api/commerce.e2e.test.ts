import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { System } from '../../src/root/system.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { http, startTestSystem } from './support.js';

let database: TestDatabase;
let system: System;
let api: ReturnType<typeof http>;
let admin: string;

const basic = { name: 'Basic', pricingModel: 'flat_rate', amount: 1000, currency: 'usd', interval: 'month', intervalCount: 1, trialDays: 0 };
const seats = { name: 'Seats', pricingModel: 'per_unit', amount: 300, currency: 'usd', interval: 'month', intervalCount: 1, trialDays: 0 };

beforeAll(async () => {
  database = await createTestDatabase();
  system = await startTestSystem(database);
  api = http(system);
  admin = (await api.userWithRole('ADMIN', 'commerce-admin@example.com')).token;
});

afterAll(async () => {
  await system?.stop();
  await database?.close();
});

/** A customer with an ACTIVE contract, and a plan: what a subscription needs. */
const setUp = async (plan = basic) => {
  const planId = (await api.call('POST', '/v1/plans', { token: admin, body: plan })).body.data.planId as string;
  const customer = await api.call('POST', '/v1/customers', { token: admin, body: { name: 'Acme', email: 'billing@acme.test' } });
  const customerId = customer.body.data.customerId as string;
  const contract = await api.call('POST', '/v1/contracts', { token: admin, body: { customerId, title: 'Hosting' } });
  const contractId = contract.body.data.contractId as string;
  await api.call('POST', `/v1/contracts/${contractId}/activate`, { token: admin });
  return { planId, customerId, contractId };
};

describe('commands on customers, plans, contracts and subscriptions over HTTP', () => {
  it('creates each resource with 201, an ETag and a position, and answers a no-op with 200 and the current state', async () => {
    const plan = await api.call('POST', '/v1/plans', { token: admin, body: basic });
    expect(plan.status).toBe(201);
    expect(plan.headers.get('etag')).toBe('"0"');
    expect(plan.body.data).toMatchObject({ name: 'Basic', amount: 1000, currency: 'usd', status: 'active', description: null });
    expect(plan.body.position).toEqual(expect.any(String));

    const { planId, contractId } = await setUp();
    const sub = await api.call('POST', '/v1/subscriptions', { token: admin, body: { contractId, planId } });
    expect(sub.status).toBe(201);
    expect(sub.body.data).toMatchObject({ status: 'ACTIVE', quantity: 1, planId, amount: 1000, cancelAtPeriodEnd: false });
    const id = sub.body.data.subscriptionId as string;

    const resume = await api.call('POST', `/v1/subscriptions/${id}/resume`, { token: admin });
    expect(resume.status).toBe(200);
    expect(resume.body.data.status).toBe('ACTIVE');
    expect(resume.body.position).toBeNull();
    expect(resume.headers.get('etag')).toBe('"0"');
  });

  it('refuses fields on an action that takes none, before anything is written', async () => {
    const { contractId } = await setUp();
    const refused = await api.call('POST', `/v1/contracts/${contractId}/terminate`, { token: admin, body: { reason: 'x', force: true } });
    expect(refused.status).toBe(400);
    const alsoRefused = await api.call('POST', `/v1/contracts/${contractId}/resume`, { token: admin, body: { status: 'ACTIVE' } });
    expect(alsoRefused.status).toBe(400);
    expect((await api.call('GET', `/v1/contracts/${contractId}`, { token: admin })).body.data.status).toBe('ACTIVE');
  });

  it('refuses a subscription under a contract that is not ACTIVE, checked on the contract stream', async () => {
    const { planId, contractId } = await setUp();
    await api.call('POST', `/v1/contracts/${contractId}/terminate`, { token: admin, body: { reason: 'moved on' } });
    const refused = await api.call('POST', '/v1/subscriptions', { token: admin, body: { contractId, planId } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.reason).toBe('subscription.contract_not_active');
  });

  it('refuses a subscription under a contract that has ended or not yet started, though still ACTIVE', async () => {
    const { planId, customerId } = await setUp();
    const outside = [
      { startsAt: '2020-01-01T00:00:00Z', endsAt: '2021-01-01T00:00:00Z' },
      { startsAt: '2999-01-01T00:00:00Z' },
    ];
    for (const dates of outside) {
      const contractId = (await api.call('POST', '/v1/contracts', { token: admin, body: { customerId, title: 'Dated', ...dates } })).body.data.contractId;
      await api.call('POST', `/v1/contracts/${contractId}/activate`, { token: admin });
      const refused = await api.call('POST', '/v1/subscriptions', { token: admin, body: { contractId, planId } });
      expect(refused.status).toBe(409);
      expect(refused.body.error.reason).toBe('subscription.contract_not_in_force');
    }
  });

  it('answers an illegal contract transition with 409, the status and the allowed transitions', async () => {
    const { contractId } = await setUp();
    await api.call('POST', `/v1/contracts/${contractId}/terminate`, { token: admin });
    const refused = await api.call('POST', `/v1/contracts/${contractId}/activate`, { token: admin });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ reason: 'contract.invalid_transition', details: { status: 'TERMINATED', allowedTransitions: [] } });
  });

  it('changes plan and quantity, and reads the subscription as it was at a revision and at an instant', async () => {
    const { planId, contractId } = await setUp(seats);
    const other = (await api.call('POST', '/v1/plans', { token: admin, body: { ...seats, name: 'Seats+', amount: 500 } })).body.data.planId;
    const id = (await api.call('POST', '/v1/subscriptions', { token: admin, body: { contractId, planId, quantity: 3 } })).body.data.subscriptionId;
    const beforeChange = new Date().toISOString();
    const changed = await api.call('POST', `/v1/subscriptions/${id}/change-plan`, { token: admin, body: { planId: other } });
    expect(changed.body.data).toMatchObject({ planId: other, amount: 500, quantity: 3 });
    const more = await api.call('POST', `/v1/subscriptions/${id}/change-quantity`, { token: admin, body: { quantity: 5 } });
    expect(more.body.data.quantity).toBe(5);

    const atZero = await api.call('GET', `/v1/subscriptions/${id}?revision=0`, { token: admin });
    expect(atZero.body.data).toMatchObject({ planId, quantity: 3, revision: '0' });
    expect(atZero.headers.get('etag')).toBeNull();
    // Recorded before the change was sent: the store's commit time of the creation is earlier, the change's later.
    const asOf = await api.call('GET', `/v1/subscriptions/${id}?asOf=${encodeURIComponent(beforeChange)}`, { token: admin });
    expect(asOf.body.data).toMatchObject({ planId, quantity: 3, revision: '0' });
    const now = await api.call('GET', `/v1/subscriptions/${id}?asOf=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, { token: admin });
    expect(now.body.data).toMatchObject({ planId: other, quantity: 5 });
    const never = await api.call('GET', `/v1/subscriptions/${id}?asOf=2000-01-01T00:00:00Z`, { token: admin });
    expect(never.status).toBe(404);
  });
});
