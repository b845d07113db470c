import { afterAll, beforeAll, expect, it } from 'vitest';
import type { System } from '../../src/root/system.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { http, startTestSystem } from './support.js';

/** CORS_ORIGINS names the browser origins that may call the API; by default none may. */
let database: TestDatabase;
let open: System;
let closed: System;
beforeAll(async () => {
  database = await createTestDatabase();
  open = await startTestSystem(database, { CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' });
  closed = await startTestSystem(database);
});
afterAll(async () => {
  await open?.stop();
  await closed?.stop();
  await database?.close();
});

const preflight = (s: System, origin: string) =>
  fetch(`${s.url}/v1/customers`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type,idempotency-key' } });

it('answers a named origin\'s preflight and requests, and no other origin', async () => {
  const ok = await preflight(open, 'https://app.example.com');
  expect(ok.status).toBe(204);
  expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
  expect(ok.headers.get('access-control-allow-headers')).toContain('Idempotency-Key');

  const { token } = await http(open).userWithRole('USER', 'cors-user@example.com');
  const read = await fetch(`${open.url}/v1/customers`, { headers: { Origin: 'http://localhost:5173', Authorization: `Bearer ${token}` } });
  expect(read.status).toBe(200);
  expect(read.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  expect(read.headers.get('access-control-expose-headers')).toContain('X-Position');

  for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.example', 'null']) {
    const refused = await preflight(open, origin);
    expect(refused.headers.get('access-control-allow-origin'), origin).toBeNull();
  }
});

it('sends no CORS header at all when CORS_ORIGINS is unset', async () => {
  const res = await preflight(closed, 'https://app.example.com');
  expect(res.headers.get('access-control-allow-origin')).toBeNull();
  const health = await fetch(`${closed.url}/health`, { headers: { Origin: 'https://app.example.com' } });
  expect(health.headers.get('access-control-allow-origin')).toBeNull();
});
