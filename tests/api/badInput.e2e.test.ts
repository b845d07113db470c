import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { System } from '../../src/root/system.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { expectEnvelope, http, startTestSystem } from './support.js';

/** Each of these answered 500 once; each must be a 4xx in the envelope, and lose nothing. */
let database: TestDatabase;
let system: System;
let api: ReturnType<typeof http>;
let manager: { userId: string; token: string };

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 20 });
  system = await startTestSystem(database);
  api = http(system);
  manager = await api.userWithRole('MANAGER', 'bad-input-boss@example.com');
});
afterAll(async () => {
  await system?.stop();
  await database?.close();
});

const raw = (method: string, path: string, init: { headers?: Record<string, string>; body?: Buffer | string } = {}) =>
  fetch(`${system.url}${path}`, { method, headers: init.headers ?? {}, ...(init.body !== undefined && { body: init.body }) }).then(
    async (res) => ({ status: res.status, headers: res.headers, body: (await res.json()) as any }),
  );

describe('input that once caused a 500', () => {
  it.each([
    ['a users cursor that decodes to NUL bytes', 'GET', '/v1/users?cursor=AAAA'],
    ['a NUL audit stream filter', 'GET', '/v1/audit?stream=%00'],
    ['a NUL audit actor filter', 'GET', '/v1/audit?actor=%00'],
    ['a NUL audit type filter', 'GET', '/v1/audit?type=%00'],
    ['an audit cursor beyond int8', 'GET', '/v1/audit?cursor=9999999999999999999'],
    ['an audit cursor that is not a number', 'GET', '/v1/audit?cursor=AAAA'],
    ['a NUL stream name', 'GET', '/v1/streams/%00'],
    ['a stream revision beyond any number', 'GET', '/v1/streams/user-x?fromRevision=1e30'],
    ['an X-Min-Position beyond int8', 'GET', '/v1/users', { 'X-Min-Position': '9999999999999999999/1' }],
  ] as const)('%s answers 400', async (_label, method, path, headers?: Record<string, string>) => {
    const res = await api.call(method, path, { token: manager.token, ...(headers && { headers }) });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expectEnvelope(res, path);
  });

  it('answers 400 to a NUL deactivation reason and deactivates nobody', async () => {
    const victim = await api.userWithRole('USER', 'nul-reason@example.com');
    const res = await api.call('DELETE', `/v1/users/${victim.userId}?reason=a%00b`, { token: manager.token });
    expect(res.status).toBe(400);
    expect(res.body.error.reason).toBe('request.unsafe_text');
    expect(await system.store.readStream(`user-${victim.userId}`)).toHaveLength(1);
  });

  it('answers 415 to an unknown Content-Encoding and 400 to a corrupt gzip body', async () => {
    const json = { 'content-type': 'application/json' };
    const br2 = await raw('POST', '/v1/auth/login', { headers: { ...json, 'content-encoding': 'br2' }, body: '{}' });
    expect(br2.status).toBe(415);
    expect(br2.body.error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', reason: 'request.unsupported_content_encoding' });
    const corrupt = await raw('POST', '/v1/auth/login', { headers: { ...json, 'content-encoding': 'gzip' }, body: Buffer.from('not gzip at all') });
    expect(corrupt.status).toBe(400);
    expect(corrupt.body.error.reason).toBe('request.malformed_body');
    const truncated = gzipSync(JSON.stringify({ email: 'a@example.com', password: 'x' })).subarray(0, 12);
    expect((await raw('POST', '/v1/auth/login', { headers: { ...json, 'content-encoding': 'gzip' }, body: truncated })).status).toBe(400);
    const gzipped = await raw('POST', '/v1/auth/login', {
      headers: { ...json, 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify({ email: 'nobody@example.com', password: 'whatever' })),
    });
    expect(gzipped.status).toBe(401);
  });

  it('answers 400 to JSON nested deeper than any request, without walking it', async () => {
    for (const depth of [33, 5_000]) {
      const body = '['.repeat(depth) + ']'.repeat(depth);
      const res = await raw('POST', '/v1/auth/login', { headers: { 'content-type': 'application/json' }, body });
      expect(res.status, `depth ${depth}`).toBe(400);
      expect(res.body.error.reason).toBe('request.too_deep');
    }
    const shallow = await raw('POST', '/v1/auth/login', { headers: { 'content-type': 'application/json' }, body: '[[[]]]' });
    expect(shallow.body.error.reason).toBe('request.invalid');
  });

  it('answers 400 to an audit range with one malformed end', async () => {
    for (const query of ['from=x&to=2026-01-01T00:00:00Z', 'from=2026-01-01T00:00:00Z&to=x']) {
      const res = await api.call('GET', `/v1/audit?${query}`, { token: manager.token });
      expect(res.status, query).toBe(400);
    }
  });

  it('answers 415 to a body that is not JSON', async () => {
    const res = await raw('POST', '/v1/auth/login', { headers: { 'content-type': 'text/plain' }, body: 'email=a' });
    expect(res.status).toBe(415);
    expect(res.body.error.reason).toBe('request.unsupported_content_type');
  });
});

describe('registration with unsafe text', () => {
  it.each([
    ['a NUL', 'A\u0000B'],
    ['a lone surrogate', '\ud800'],
    ['only spaces', '   '],
  ])('refuses a display name with %s, and the address stays free', async (_label, displayName) => {
    const email = `burn-${Buffer.from(displayName).toString('hex')}@example.com`;
    const refused = await api.call('POST', '/v1/auth/register', { body: { email, password: 'a-long-password', displayName } });
    expect(refused.status).toBe(400);
    expectEnvelope(refused, displayName);
    const owner = await api.call('POST', '/v1/auth/register', { body: { email, password: 'a-long-password', displayName: 'Owner' } });
    expect(owner.status).toBe(201);
  });
});

describe('headers', () => {
  it('accepts the Bearer scheme in any case (RFC 7235)', async () => {
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      const res = await api.call('GET', `/v1/users/${manager.userId}`, { headers: { authorization: `${scheme} ${manager.token}` } });
      expect(res.status, scheme).toBe(200);
    }
  });

  it('takes If-Match: * as any revision', async () => {
    const target = await api.userWithRole('USER', 'if-match-star@example.com');
    const res = await api.call('PATCH', `/v1/users/${target.userId}/role`, { token: manager.token, body: { role: 'ADMIN' }, headers: { 'If-Match': '*' } });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ role: 'ADMIN', revision: '1' });
  });

  it('compares the audit range as instants, not as strings', async () => {
    const from = encodeURIComponent('2026-01-01T10:00:00+05:00');
    const ok = await api.call('GET', `/v1/audit?from=${from}&to=2026-01-01T06:00:00Z`, { token: manager.token });
    expect(ok.status).toBe(200);
    const reversed = await api.call('GET', `/v1/audit?from=2026-01-01T06:00:00Z&to=${from}`, { token: manager.token });
    expect(reversed.status).toBe(400);
  });
});
