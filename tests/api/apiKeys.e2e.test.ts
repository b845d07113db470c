import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_ROUTES } from '../../src/api/http/access.js';
import type { System } from '../../src/root/system.js';
import { scopeOf } from '../../src/root/scopes.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { expectEnvelope, http, startTestSystem, type Json } from './support.js';

/**
 * API keys over HTTP, on a system on the wall clock (live keys). Key expiry
 * is wall time, as a session's is: the instants here are derived from it.
 */
let database: TestDatabase;
let system: System;
let api: ReturnType<typeof http>;
let manager: { userId: string; token: string };
beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 20 });
  system = await startTestSystem(database);
  api = http(system);
  manager = await api.userWithRole('MANAGER', 'keys-manager@example.com');
});
afterAll(async () => {
  await system?.stop();
  await database?.close();
});

const KEY = /^bsk_live_[0-9a-f]{32}_[0-9a-f]{64}$/;
const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
const makeKey = async (token: string, body: Json) => {
  const res = await api.call('POST', '/v1/api-keys', { token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { key: res.body.key as string, data: res.body.data };
};
const aCustomer = (n: string) => ({ name: `Key customer ${n}`, email: `key-${n}@example.com` });

describe('API keys', () => {
  it('are shown whole once, act as themselves on their maker\'s behalf, and reach only what their scopes name', async () => {
    const { key, data } = await makeKey(manager.token, { name: 'billing server', scopes: ['customers:write', 'plans:read'] });
    expect(key).toMatch(KEY);
    expect(data).toMatchObject({ name: 'billing server', mode: 'live', ownerUserId: manager.userId, scopes: ['customers:write', 'plans:read'], revokedAt: null, expiresAt: null });
    expect(key.startsWith(`${data.prefix}_`)).toBe(true);
    const read = await api.call('GET', `/v1/api-keys/${data.keyId}`, { token: manager.token });
    expect(read.body.key).toBeUndefined();
    expect(JSON.stringify(read.body)).not.toContain(key.slice(-64));

    // write covers read; the event names the key, on its maker's behalf, with the maker's role
    const made = await api.call('POST', '/v1/customers', { token: key, body: aCustomer('a') });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const [registered] = await system.store.readStream(`customer-${made.body.data.customerId}`);
    expect(registered!.metadata.actor).toEqual({ id: data.keyId, role: 'MANAGER', onBehalfOf: manager.userId });
    expect((await api.call('GET', `/v1/customers/${made.body.data.customerId}`, { token: key })).status).toBe(200);

    const plan = await api.call('POST', '/v1/plans', { token: manager.token, body: { name: 'Key plan', pricingModel: 'flat_rate', amount: 500, currency: 'usd', interval: 'month' } });
    expect((await api.call('GET', `/v1/plans/${plan.body.data.planId}`, { token: key })).status).toBe(200);
    const refused = [
      [await api.call('POST', '/v1/plans', { token: key, body: { name: 'No', pricingModel: 'flat_rate', amount: 1, currency: 'usd', interval: 'month' } }), 'auth.scope_missing'],
      [await api.call('GET', '/v1/invoices', { token: key }), 'auth.scope_missing'],
      [await api.call('GET', `/v1/users/${manager.userId}`, { token: key }), 'auth.key_not_allowed'],
      [await api.call('POST', '/v1/api-keys', { token: key, body: { name: 'child', scopes: ['customers:write'] } }), 'auth.key_not_allowed'],
      [await api.call('GET', '/v1/api-keys', { token: key }), 'auth.key_not_allowed'],
    ] as const;
    for (const [res, reason] of refused) {
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body.error.reason).toBe(reason);
      expectEnvelope(res, reason);
    }
  });

  it('refuses writes to a read-only key, and a key at all once it is revoked, or expired, or its secret is wrong', async () => {
    const reader = await makeKey(manager.token, { name: 'reader', scopes: ['customers:read'] });
    expect((await api.call('GET', '/v1/customers', { token: reader.key })).status).toBe(200);
    const write = await api.call('POST', '/v1/customers', { token: reader.key, body: aCustomer('b') });
    expect(write.status).toBe(403);
    expect(write.body.error).toMatchObject({ reason: 'auth.scope_missing', details: { scope: 'customers:write' } });

    const wrongSecret = reader.key.slice(0, -4) + (reader.key.endsWith('0000') ? '1111' : '0000');
    const unknown = `bsk_live_${'a'.repeat(32)}_${'b'.repeat(64)}`;
    for (const token of [wrongSecret, unknown, `bsk_test_${reader.key.slice('bsk_live_'.length)}`, 'bsk_live_short']) {
      const res = await api.call('GET', '/v1/customers', { token });
      expect(res.status, token).toBe(401);
      expect(res.body.error.reason, token).toMatch(/^auth\.(invalid_api_key|api_key_mode)$/);
    }

    const revoked = await api.call('POST', `/v1/api-keys/${reader.data.keyId}/revoke`, { token: manager.token, body: { reason: 'leaked' } });
    expect(revoked.body.data.revokedAt).not.toBeNull();
    const afterRevoke = await api.call('GET', '/v1/customers', { token: reader.key });
    expect(afterRevoke.status).toBe(401);
    expect(afterRevoke.body.error.reason).toBe('auth.api_key_revoked');

    const brief = await makeKey(manager.token, { name: 'brief', scopes: ['customers:read'], expiresAt: inMs(1_500) });
    expect((await api.call('GET', '/v1/customers', { token: brief.key })).status).toBe(200);
    await expect.poll(async () => (await api.call('GET', '/v1/customers', { token: brief.key })).body.error?.reason, { timeout: 10_000, interval: 200 }).toBe('auth.api_key_expired');
    expect((await api.call('POST', '/v1/api-keys', { token: manager.token, body: { name: 'past', scopes: ['customers:read'], expiresAt: inMs(-60_000) } })).status).toBe(400);
  });

  it('rolls: both keys work during the overlap, only the new one after it', async () => {
    const old = await makeKey(manager.token, { name: 'rolling', scopes: ['customers:read'] });
    const rolled = await api.call('POST', `/v1/api-keys/${old.data.keyId}/roll`, { token: manager.token, body: { expiresAt: inMs(2_000) } });
    expect(rolled.status, JSON.stringify(rolled.body)).toBe(201);
    const fresh = rolled.body.key as string;
    expect(fresh).toMatch(KEY);
    expect(rolled.body.data).toMatchObject({ name: 'rolling', scopes: ['customers:read'], ownerUserId: manager.userId });
    expect((await api.call('GET', `/v1/api-keys/${old.data.keyId}`, { token: manager.token })).body.data.replacedBy).toBe(rolled.body.data.keyId);
    for (const token of [old.key, fresh]) expect((await api.call('GET', '/v1/customers', { token })).status).toBe(200);
    await expect.poll(async () => (await api.call('GET', '/v1/customers', { token: old.key })).status, { timeout: 10_000, interval: 200 }).toBe(401);
    expect((await api.call('GET', '/v1/customers', { token: fresh })).status).toBe(200);
    // Rolled once: a second roll of the same key is refused, and makes no key.
    const again = await api.call('POST', `/v1/api-keys/${old.data.keyId}/roll`, { token: manager.token, body: {} });
    expect(again.status).toBe(409);
    expect(again.body.error.reason).toBe('api_key.already_rolled');
  });

  it('never does more than its maker may now: a key of an ADMIN demoted to USER loses what a USER may not do', async () => {
    const admin = await api.userWithRole('ADMIN', 'keys-admin@example.com');
    const user = await api.userWithRole('USER', 'keys-user@example.com');
    expect((await api.call('POST', '/v1/api-keys', { token: user.token, body: { name: 'mine', scopes: ['customers:read'] } })).status).toBe(403);
    const { key, data } = await makeKey(admin.token, { name: 'admin server', scopes: ['customers:write'] });
    expect((await api.call('POST', '/v1/customers', { token: key, body: aCustomer('c') })).status).toBe(201);

    // An ADMIN manages only its own keys.
    const managers = await makeKey(manager.token, { name: 'manager server', scopes: ['customers:read'] });
    const notYours = await api.call('POST', `/v1/api-keys/${managers.data.keyId}/revoke`, { token: admin.token, body: {} });
    expect(notYours.status).toBe(403);
    expect(notYours.body.error.reason).toBe('api_key.not_yours');

    const demoted = await api.call('PATCH', `/v1/users/${admin.userId}/role`, { token: manager.token, body: { role: 'USER' } });
    expect(demoted.status, JSON.stringify(demoted.body)).toBe(200);
    const after = await api.call('POST', '/v1/customers', { token: key, body: aCustomer('d') });
    expect(after.status).toBe(403);
    expect(after.body.error.reason).toBe('auth.forbidden');
    // As a USER it sees only its maker's own customers: none.
    const listed = await api.call('GET', '/v1/customers', { token: key });
    expect(listed.status).toBe(200);
    expect(listed.body.data).toEqual([]);

    expect((await api.call('DELETE', `/v1/users/${admin.userId}`, { token: manager.token })).status).toBe(200);
    const inactive = await api.call('GET', '/v1/customers', { token: key });
    expect(inactive.status).toBe(401);
    expect(inactive.body.error.reason).toBe('auth.user_inactive');
    expect(data.ownerUserId).toBe(admin.userId);
  });

  it('keeps only the hash of a secret: not in the events, the read models, nor an Idempotency-Key\'s stored answer', async () => {
    const first = await api.call('POST', '/v1/api-keys', { token: manager.token, body: { name: 'kept once', scopes: ['audit:read'] }, headers: { 'Idempotency-Key': 'key-once-1' } });
    expect(first.status).toBe(201);
    const replay = await api.call('POST', '/v1/api-keys', { token: manager.token, body: { name: 'kept once', scopes: ['audit:read'] }, headers: { 'Idempotency-Key': 'key-once-1' } });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.key).toBeNull();
    expect(replay.body.data.keyId).toBe(first.body.data.keyId);

    const secret = (first.body.key as string).slice(-64);
    const hash = createHash('sha256').update(secret).digest('hex');
    const tables = await sql<{ schema: string; name: string }>`
      select table_schema as schema, table_name as name from information_schema.tables
       where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`.execute(system.db);
    const holding: string[] = [];
    for (const { schema, name } of tables.rows) {
      const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.table(`${schema}.${name}`)} t where t::text like ${`%${secret}%`} or t::text like ${`%${hash}%`}`.execute(system.db);
      if (Number(rows[0]!.n) > 0) holding.push(`${schema}.${name}`);
    }
    expect(holding).toEqual(['auth.api_key_secrets']);
  });

  it('names a scope for every route but those of people and keys, which no key reaches', () => {
    const closed = /^\/v1\/(users|auth|api-keys)(\/|$)/;
    const unscoped = system.routes.filter((r) => !PUBLIC_ROUTES[`${r.method} ${r.path}`] && scopeOf(r.method, r.path) === undefined).map((r) => `${r.method} ${r.path}`);
    expect(unscoped.filter((r) => !closed.test(r.split(' ')[1]!))).toEqual([]);
    expect(unscoped.length).toBeGreaterThan(5);
    expect(scopeOf('POST', '/v1/invoices/:id/credit-notes')).toBe('credit_notes:write');
    expect(scopeOf('GET', '/v1/invoices/:id')).toBe('invoices:read');
    // A signing secret forges messages: reading it takes write.
    expect(scopeOf('GET', '/v1/webhook-endpoints/:id/secret')).toBe('webhooks:write');
    expect(scopeOf('GET', '/v1/webhook-endpoints/:id/attempts')).toBe('webhooks:read');
  });
});
