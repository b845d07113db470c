import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { System } from '../../src/root/system.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { expectEnvelope, http, startTestSystem } from './support.js';

/** What an attacker's pass over the commerce routes found, kept as tests. */
let database: TestDatabase;
let system: System;
let api: ReturnType<typeof http>;
let admin: string;
let owner: { userId: string; token: string };
let stranger: { userId: string; token: string };
type Owned = { customerId: string; contractId: string; planId: string; subscriptionId: string; position: string };
let mine: Owned;
let theirs: Owned;

const setUp = async (ownerUserId: string): Promise<Owned> => {
  const plan = await api.call('POST', '/v1/plans', {
    token: admin,
    body: { name: 'Basic', pricingModel: 'flat_rate', amount: 900, currency: 'eur', interval: 'month' },
  });
  const planId = plan.body.data.planId as string;
  const customer = await api.call('POST', '/v1/customers', { token: admin, body: { name: 'Owned', email: 'owned@example.com', ownerUserId } });
  const customerId = customer.body.data.customerId as string;
  const contractId = (await api.call('POST', '/v1/contracts', { token: admin, body: { customerId, title: 'Deal' } })).body.data.contractId as string;
  await api.call('POST', `/v1/contracts/${contractId}/activate`, { token: admin });
  const sub = await api.call('POST', '/v1/subscriptions', { token: admin, body: { contractId, planId } });
  return { customerId, contractId, planId, subscriptionId: sub.body.data.subscriptionId as string, position: sub.body.position as string };
};

beforeAll(async () => {
  database = await createTestDatabase();
  system = await startTestSystem(database);
  api = http(system);
  admin = (await api.userWithRole('ADMIN', 'attack-admin@example.com')).token;
  owner = await api.userWithRole('USER', 'attack-owner@example.com');
  stranger = await api.userWithRole('USER', 'attack-stranger@example.com');
  mine = await setUp(owner.userId);
  theirs = await setUp(stranger.userId);
});

afterAll(async () => {
  await system?.stop();
  await database?.close();
});

describe('a USER filtering lists by what another customer owns', () => {
  it('sees nothing of the other customer, whichever filter names it', async () => {
    const headers = { 'X-Min-Position': theirs.position };
    for (const query of [`customerId=${theirs.customerId}`, `contractId=${theirs.contractId}`, `planId=${theirs.planId}`, `ownerUserId=${stranger.userId}`]) {
      const subscriptions = await api.call('GET', `/v1/subscriptions?${query}`, { token: owner.token, headers });
      expect(subscriptions.status, query).toBe(200);
      expect(subscriptions.body.data, query).toEqual([]);
    }
    const contracts = await api.call('GET', `/v1/contracts?customerId=${theirs.customerId}`, { token: owner.token, headers });
    expect(contracts.body.data).toEqual([]);
    // The same filters name its own.
    const own = await api.call('GET', `/v1/subscriptions?customerId=${mine.customerId}`, { token: owner.token, headers });
    expect(own.body.data.map((s: { subscriptionId: string }) => s.subscriptionId)).toEqual([mine.subscriptionId]);
  });
});

describe('?revision= that is not a number', () => {
  it('is a 400 naming the field on every resource, never a 500', async () => {
    const ids = { customers: theirs.customerId, plans: theirs.planId, contracts: theirs.contractId, subscriptions: theirs.subscriptionId };
    for (const [kind, id] of Object.entries(ids)) {
      for (const revision of ['1.5', 'abc', '1e3', '-1', '0x10']) {
        const res = await api.call('GET', `/v1/${kind}/${id}?revision=${revision}`, { token: admin });
        expect(res.status, `${kind} ?revision=${revision}`).toBe(400);
        expectEnvelope(res, `${kind} ?revision=${revision}`);
        expect(res.body.error.details.fields).toEqual([expect.objectContaining({ location: 'query', path: 'revision' })]);
      }
    }
  });
});

describe('contract instants', () => {
  const contractsOf = async (customerId: string, position: string) =>
    api.call('GET', `/v1/contracts?customerId=${customerId}&limit=100`, { token: admin, headers: { 'X-Min-Position': position } });

  it('refuses an instant the read models cannot hold, writes nothing, and the contracts read model keeps running', async () => {
    const customer = await api.call('POST', '/v1/customers', { token: admin, body: { name: 'Dates', email: 'dates@example.com' } });
    const customerId = customer.body.data.customerId as string;
    for (const [startsAt, endsAt] of [
      ['0000-01-01T00:00:00Z', undefined],
      ['0001-01-01T00:00:00+01:00', undefined],
      ['2030-01-01T00:00:00Z', '9999-12-31T23:59:59-23:59'],
    ] as const) {
      const res = await api.call('POST', '/v1/contracts', { token: admin, body: { customerId, title: 'Odd', startsAt, ...(endsAt && { endsAt }) } });
      expect(res.status, `${startsAt} → ${endsAt}`).toBe(400);
      expectEnvelope(res, startsAt);
      expect(res.body.error.details.fields[0].path).toBe(endsAt ? 'endsAt' : 'startsAt');
    }
    const edge = await api.call('POST', '/v1/contracts', {
      token: admin,
      body: { customerId, title: 'Edge', startsAt: '0001-01-01T00:00:00Z', endsAt: '9999-12-31T23:59:59.999Z' },
    });
    expect(edge.status).toBe(201);
    const list = await contractsOf(customerId, edge.body.position);
    expect(list.status).toBe(200);
    expect(list.body.data.map((c: { title: string }) => c.title)).toEqual(['Edge']);
    expect(list.body.data[0]).toMatchObject({ startsAt: '0001-01-01T00:00:00.000Z', endsAt: '9999-12-31T23:59:59.999Z' });
  });

  it('answers the same instant from the command, the stream and the list, whatever offset it was given in', async () => {
    const created = await api.call('POST', '/v1/contracts', {
      token: admin,
      body: { customerId: mine.customerId, title: 'Offset', startsAt: '2030-01-01T00:00:00+05:00', endsAt: '2031-01-01T00:00:00.5-01:30' },
    });
    expect(created.status).toBe(201);
    const expected = { startsAt: '2029-12-31T19:00:00.000Z', endsAt: '2031-01-01T01:30:00.500Z' };
    expect(created.body.data).toMatchObject(expected);
    const { contractId } = created.body.data;
    expect((await api.call('GET', `/v1/contracts/${contractId}`, { token: admin })).body.data).toMatchObject(expected);
    const listed = (await contractsOf(mine.customerId, created.body.position)).body.data.find((c: { contractId: string }) => c.contractId === contractId);
    expect(listed).toMatchObject(expected);
  });

  it('refuses precision finer than a millisecond instead of dropping it', async () => {
    const fine = await api.call('POST', '/v1/contracts', { token: admin, body: { customerId: mine.customerId, title: 'Fine', startsAt: '2030-01-01T00:00:00.123456Z' } });
    expect(fine.status).toBe(400);
    expect(fine.body.error.details.fields[0].path).toBe('startsAt');
    const zeros = await api.call('POST', '/v1/contracts', { token: admin, body: { customerId: mine.customerId, title: 'Zeros', startsAt: '2030-01-01T00:00:00.123000Z' } });
    expect(zeros.status).toBe(201);
    expect(zeros.body.data.startsAt).toBe('2030-01-01T00:00:00.123Z');
  });
});

describe('a plan as it was', () => {
  it('carries no ETag, as no resource read at a past point does', async () => {
    for (const kind of ['plans', 'contracts', 'customers', 'subscriptions'] as const) {
      const id = { plans: theirs.planId, contracts: theirs.contractId, customers: theirs.customerId, subscriptions: theirs.subscriptionId }[kind];
      const past = await api.call('GET', `/v1/${kind}/${id}?revision=0`, { token: admin });
      expect(past.status, kind).toBe(200);
      expect(past.headers.get('etag'), kind).toBeNull();
      expect((await api.call('GET', `/v1/${kind}/${id}`, { token: admin })).headers.get('etag'), kind).toMatch(/^"\d+"$/);
    }
  });
});
