import { afterAll, beforeAll, expect, it } from 'vitest';
import type { System } from '../../src/system.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { createTokenService } from '../../src/accounts/index.js';
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
