import { afterAll, beforeAll, expect, it } from 'vitest';
import type { System } from '../../src/root/system.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { createTokenService } from '../../src/application/auth/tokens.js';
import { http, JWT_SECRET, startTestSystem } from './support.js';

let database: TestDatabase;
let system: System;
beforeAll(async () => {
  database = await createTestDatabase();
  system = await startTestSystem(database, { AUTH_RATE_LIMIT_PER_MINUTE: '3', API_RATE_LIMIT_PER_MINUTE: '5' });
});
afterAll(async () => {
  await system?.stop();
  await database?.close();
});

it('limits auth routes per client address, with Retry-After', async () => {
  const api = http(system);
  const attempt = () => api.call('POST', '/v1/auth/login', { body: { email: 'nobody@example.com', password: 'whatever' } });
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await attempt()).status);
  expect(statuses).toEqual([401, 401, 401, 429]);
  const limited = await attempt();
  expect(limited.body.error).toMatchObject({ code: 'RATE_LIMITED', reason: 'request.rate_limited' });
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
});

it('limits everything else per principal', async () => {
  const { userId } = await system.accounts.register(
    { email: 'busy@example.com', password: 'long-enough-password', displayName: 'Busy', role: 'USER' },
    { actor: { id: 'system:test' }, source: 'cli', correlationId: 'c' },
  );
  // The auth budget of this address is spent above, so the token is minted with the server's key.
  const tokens = createTokenService({ secret: JWT_SECRET, accessTokenTtlSeconds: 600, now: () => new Date() });
  const { token } = await tokens.signAccessToken({ userId, role: 'USER' });
  const api = http(system);
  const statuses = [];
  for (let i = 0; i < 6; i++) statuses.push((await api.call('GET', '/v1/users', { token })).status);
  expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
});

it('counts across instances: two API processes on one database share the per-address budget', async () => {
  const db2 = await createTestDatabase();
  const [a, b] = [await startTestSystem(db2, { AUTH_RATE_LIMIT_PER_MINUTE: '3' }), await startTestSystem(db2, { AUTH_RATE_LIMIT_PER_MINUTE: '3' })];
  try {
    const login = (s: System) => http(s).call('POST', '/v1/auth/login', { body: { email: 'nobody@example.com', password: 'whatever' } });
    const statuses = [(await login(a)).status, (await login(b)).status, (await login(a)).status, (await login(b)).status];
    expect(statuses).toEqual([401, 401, 401, 429]);
  } finally {
    await a.stop();
    await b.stop();
    await db2.close();
  }
});

it('limits the login route under every spelling of its path', async () => {
  const api = http(system);
  for (const path of ['/v1/auth/login', '/v1/Auth/login', '/V1/AUTH/LOGIN', '/v1/auth/login/']) {
    const res = await api.call('POST', path, { body: { email: 'nobody@example.com', password: 'whatever' } });
    // This address spent its budget in the first test: the route answers 429, other spellings reach no route.
    expect(res.status, path).toBe(path.toLowerCase() === path ? 429 : 401);
  }
});

it('holds a busy principal to its limit across two instances, though each takes points ten at a time', async () => {
  const db3 = await createTestDatabase({ poolSize: 20 });
  const env = { API_RATE_LIMIT_PER_MINUTE: '600' };
  const [a, b] = [await startTestSystem(db3, env), await startTestSystem(db3, env)];
  try {
    const { token } = await http(a).userWithRole('USER', 'lease@example.com');
    const statuses: number[] = [];
    // Both instances at once, 8 requests in flight on each, 640 in all: 40 more than the limit.
    for (let round = 0; round < 40; round++) {
      const batch = await Promise.all(
        Array.from({ length: 16 }, (_, i) => http(i % 2 ? a : b).call('GET', '/v1/users', { token })),
      );
      statuses.push(...batch.map((r) => r.status));
    }
    const ok = statuses.filter((s) => s === 200).length;
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(ok).toBeLessThanOrEqual(600);
    // Points taken but not spent are lost at the end of the window: at most 9 per instance.
    expect(ok).toBeGreaterThanOrEqual(600 - 2 * 9);
  } finally {
    await a.stop();
    await b.stop();
    await db3.close();
  }
});

it('limits bad and unknown tokens and keys per client address, and still lets a valid token from it in', async () => {
  const db4 = await createTestDatabase();
  const s = await startTestSystem(db4, { AUTH_RATE_LIMIT_PER_MINUTE: '3' });
  try {
    const api = http(s);
    const { token } = await api.userWithRole('USER', 'guessed-at@example.com');
    const guesses = ['not-a-token', `bsk_live_${'1'.repeat(32)}_${'2'.repeat(64)}`, `${token}x`, 'still-not-a-token', 'and-again'];
    const statuses = [];
    for (const guess of guesses) statuses.push((await api.call('GET', '/v1/users', { token: guess })).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const missing = await api.call('GET', '/v1/users');
    expect([missing.status, missing.body.error.reason]).toEqual([429, 'request.rate_limited']);
    expect((await api.call('GET', '/v1/users', { token })).status).toBe(200);
  } finally {
    await s.stop();
    await db4.close();
  }
});

it('limits each API key on its own, apart from its maker', async () => {
  const db5 = await createTestDatabase();
  const s = await startTestSystem(db5, { API_RATE_LIMIT_PER_MINUTE: '5' });
  try {
    const api = http(s);
    const { token } = await api.userWithRole('MANAGER', 'keyed@example.com');
    const made = await api.call('POST', '/v1/api-keys', { token, body: { name: 'limited', scopes: ['customers:read'] } });
    const key = made.body.key as string;
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await api.call('GET', '/v1/customers', { token: key })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    // Its maker's own budget is its own: one request spent on making the key.
    expect((await api.call('GET', '/v1/customers', { token })).status).toBe(200);
  } finally {
    await s.stop();
    await db5.close();
  }
});
