import { afterAll, beforeAll, expect, it } from 'vitest';
import type { System } from '../../src/root/system.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { http, startTestSystem } from './support.js';

/** At the production cost (N=2^17, 128 MiB a hash): a burst of logins is bounded, and the rest of the API still answers. */
let database: TestDatabase;
let system: System;
beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 20 });
  system = await startTestSystem(database, { SCRYPT_COST: '17', PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: '2' });
});
afterAll(async () => {
  await system?.stop();
  await database?.close();
});

it('answers a burst of 60 bad logins with 401s and 429s (with Retry-After), never a 5xx, while reads go on', async () => {
  const api = http(system);
  const reader = await api.userWithRole('ADMIN', 'reader@example.com');
  const logins = Array.from({ length: 60 }, () =>
    api.call('POST', '/v1/auth/login', { body: { email: 'reader@example.com', password: 'the-wrong-password' } }),
  );
  const read = await api.call('GET', `/v1/users/${reader.userId}`, { token: reader.token, headers: { 'X-Min-Position': reader.position } });
  const answers = await Promise.all(logins);
  expect(read.status).toBe(200);
  const statuses = answers.map((a) => a.status);
  expect(statuses.every((s) => s === 401 || s === 429), statuses.join(',')).toBe(true);
  const busy = answers.filter((a) => a.status === 429);
  // One hash runs and two wait: most of a simultaneous burst is turned away at once.
  expect(busy.length).toBeGreaterThan(30);
  expect(busy[0]!.body.error).toMatchObject({ code: 'RATE_LIMITED', reason: 'auth.busy' });
  expect(Number(busy[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
  const [stored] = await database.db.selectFrom('auth.credentials').select('password_hash').execute();
  expect(stored!.password_hash).toMatch(/^scrypt\$131072\$8\$1\$/);
});
