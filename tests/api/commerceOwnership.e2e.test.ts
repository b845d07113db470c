import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { System } from '../../src/root/system.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { http, startTestSystem } from './support.js';

let database: TestDatabase;
let system: System;
let api: ReturnType<typeof http>;
let admin: string;
let auditor: string;
let owner: { userId: string; token: string };
let stranger: { userId: string; token: string };
let mine: { customerId: string; contractId: string; subscriptionId: string; position: string };
let theirs: { customerId: string; contractId: string; subscriptionId: string; position: string };

const UNKNOWN = {
  customers: 'cus_00000000000000000000000000000000',
  contracts: 'ctr_00000000000000000000000000000000',
  subscriptions: 'sub_00000000000000000000000000000000',
};

const customerOf = async (ownerUserId: string | undefined, planId: string) => {
  const customer = await api.call('POST', '/v1/customers', {
    token: admin,
    body: { name: 'Owned', email: 'owned@example.com', ...(ownerUserId && { ownerUserId }) },
  });
  const customerId = customer.body.data.customerId as string;
  const contractId = (await api.call('POST', '/v1/contracts', { token: admin, body: { customerId, title: 'Deal' } })).body.data.contractId as string;
  await api.call('POST', `/v1/contracts/${contractId}/activate`, { token: admin });
  const sub = await api.call('POST', '/v1/subscriptions', { token: admin, body: { contractId, planId } });
  return { customerId, contractId, subscriptionId: sub.body.data.subscriptionId as string, position: sub.body.position as string };
};

beforeAll(async () => {
  database = await createTestDatabase();
  system = await startTestSystem(database);
  api = http(system);
  admin = (await api.userWithRole('ADMIN', 'own-admin@example.com')).token;
  auditor = (await api.userWithRole('AUDITOR', 'own-auditor@example.com')).token;
  owner = await api.userWithRole('USER', 'own-owner@example.com');
  stranger = await api.userWithRole('USER', 'own-stranger@example.com');
  const plan = await api.call('POST', '/v1/plans', {
    token: admin,
    body: { name: 'Basic', pricingModel: 'flat_rate', amount: 900, currency: 'eur', interval: 'month' },
  });
  mine = await customerOf(owner.userId, plan.body.data.planId);
  theirs = await customerOf(stranger.userId, plan.body.data.planId);
});

afterAll(async () => {
  await system?.stop();
  await database?.close();
});

describe('a USER and the customers it owns', () => {
  it('reads its own customer, contract and subscription, and lists only those', async () => {
    for (const [kind, id] of [['customers', mine.customerId], ['contracts', mine.contractId], ['subscriptions', mine.subscriptionId]] as const) {
      expect((await api.call('GET', `/v1/${kind}/${id}`, { token: owner.token })).status).toBe(200);
      const list = await api.call('GET', `/v1/${kind}`, { token: owner.token, headers: { 'X-Min-Position': theirs.position } });
      expect(list.status).toBe(200);
      expect(list.body.data.map((r: Record<string, string>) => r[`${kind.slice(0, -1)}Id`])).toEqual([id]);
    }
    const asking = await api.call('GET', `/v1/subscriptions?ownerUserId=${stranger.userId}`, { token: owner.token });
    expect(asking.body.data).toEqual([]);
  });

  it('gets the same 404 for a foreign id as for an unknown one, on every read and on cancel and reactivate', async () => {
    for (const kind of ['customers', 'contracts', 'subscriptions'] as const) {
      const foreignId = { customers: theirs.customerId, contracts: theirs.contractId, subscriptions: theirs.subscriptionId }[kind];
      const requests: [string, string][] = [['GET', `/v1/${kind}/ID`], ['GET', `/v1/${kind}/ID?revision=0`]];
      if (kind === 'subscriptions') requests.push(['POST', '/v1/subscriptions/ID/cancel'], ['POST', '/v1/subscriptions/ID/reactivate']);
      for (const [method, path] of requests) {
        const foreign = await api.call(method, path.replace('ID', foreignId), { token: owner.token, ...(method === 'POST' && { body: {} }) });
        const unknown = await api.call(method, path.replace('ID', UNKNOWN[kind]), { token: owner.token, ...(method === 'POST' && { body: {} }) });
        expect(foreign.status, `${method} ${path}`).toBe(404);
        expect({ ...foreign.body.error, requestId: null }).toEqual({ ...unknown.body.error, requestId: null });
      }
    }
    // The stranger's subscription was not touched.
    expect((await api.call('GET', `/v1/subscriptions/${theirs.subscriptionId}`, { token: admin })).body.data.cancelAtPeriodEnd).toBe(false);
  });

  it('cancels and reactivates its own subscription, and nothing else', async () => {
    const path = `/v1/subscriptions/${mine.subscriptionId}`;
    const scheduled = await api.call('POST', `${path}/cancel`, { token: owner.token, body: { atPeriodEnd: true } });
    expect(scheduled.status).toBe(200);
    expect(scheduled.body.data.cancelAtPeriodEnd).toBe(true);
    const back = await api.call('POST', `${path}/reactivate`, { token: owner.token });
    expect(back.body.data.cancelAtPeriodEnd).toBe(false);
    for (const action of ['pause', 'resume', 'change-quantity']) {
      const refused = await api.call('POST', `${path}/${action}`, { token: owner.token, body: action === 'change-quantity' ? { quantity: 1 } : {} });
      expect(refused.status, action).toBe(403);
    }
    expect((await api.call('POST', `/v1/contracts/${mine.contractId}/suspend`, { token: owner.token, body: {} })).status).toBe(403);
    expect((await api.call('PATCH', `/v1/customers/${mine.customerId}`, { token: owner.token, body: { name: 'Mine now' } })).status).toBe(403);
  });

  it("sets its own customer's payment method, and gets 404 for a foreign customer's", async () => {
    const set = await api.call('POST', `/v1/customers/${mine.customerId}/payment-method`, { token: owner.token, body: { paymentMethod: 'pm_ok' } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.data.paymentMethod).toBe('pm_ok');
    const foreign = await api.call('POST', `/v1/customers/${theirs.customerId}/payment-method`, { token: owner.token, body: { paymentMethod: 'pm_ok' } });
    const unknown = await api.call('POST', `/v1/customers/${UNKNOWN.customers}/payment-method`, { token: owner.token, body: { paymentMethod: 'pm_ok' } });
    expect(foreign.status).toBe(404);
    expect({ ...foreign.body.error, requestId: null }).toEqual({ ...unknown.body.error, requestId: null });
    expect((await api.call('POST', `/v1/customers/${theirs.customerId}/payment-method`, { token: auditor, body: { paymentMethod: 'pm_ok' } })).status).toBe(403);
  });
});

describe('an AUDITOR', () => {
  it('reads everything, at any revision, and changes nothing', async () => {
    expect((await api.call('GET', `/v1/customers/${theirs.customerId}`, { token: auditor })).status).toBe(200);
    expect((await api.call('GET', `/v1/subscriptions/${theirs.subscriptionId}?revision=0`, { token: auditor })).body.data.status).toBe('ACTIVE');
    const list = await api.call('GET', '/v1/subscriptions', { token: auditor, headers: { 'X-Min-Position': theirs.position } });
    expect(list.body.data).toHaveLength(2);
    for (const [method, path, body] of [
      ['POST', '/v1/plans', {}],
      ['POST', `/v1/subscriptions/${theirs.subscriptionId}/cancel`, {}],
      ['POST', `/v1/customers/${theirs.customerId}/credits`, { amount: 1, currency: 'eur', reason: 'x' }],
      ['POST', `/v1/contracts/${theirs.contractId}/terminate`, {}],
    ] as const) {
      expect((await api.call(method, path, { token: auditor, body })).status, path).toBe(403);
    }
  });
});
