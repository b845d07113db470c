import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createSilentLogger } from '../../src/logger/index.js';
import type { Projection } from '../../src/projections/runtime/index.js';
import { startSystem, type System } from '../../src/root/system.js';
import { anEvent } from '../eventstore/conformanceSupport.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { http } from './support.js';

const startOn = async (database: TestDatabase, projections?: Projection[]) =>
  startSystem(
    loadConfig({ DATABASE_URL: database.url, PORT: '0', HOST: '127.0.0.1', READY_MAX_LAG_MS: '5000', JWT_SECRET: 'e2e-secret-0123456789-0123456789-abc' }),
    createSilentLogger(),
    projections ? { projections } : {},
  );

/** The envelope is checked field by field below; its shape is what is under test. */
const json = (res: Response): Promise<any> => res.json();

const noop: Projection = { name: 'noop', apply: async () => {}, reset: async () => {} };

describe('HTTP surface of a running system', () => {
  let database: TestDatabase;
  let system: System;
  beforeAll(async () => {
    database = await createTestDatabase();
    system = await startOn(database, [noop]);
  });
  afterAll(async () => {
    await system?.stop();
    await database?.close();
  });

  it('answers liveness with security headers and a request id', async () => {
    const res = await fetch(`${system.url}/health`);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ data: { status: 'ok' } });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('echoes a sane client request id', async () => {
    const res = await fetch(`${system.url}/health`, { headers: { 'X-Request-Id': 'client-req-12345' } });
    expect(res.headers.get('x-request-id')).toBe('client-req-12345');
  });

  it('is ready when the database, event store and projections are', async () => {
    const { position } = await system.store.appendToStream(`ready-${randomUUID()}`, [anEvent()], { expectedRevision: 'no_stream' });
    expect(await system.projections.waitFor(['noop'], position, 10_000)).toBe(true);
    const res = await fetch(`${system.url}/ready`);
    const body = await json(res);
    expect(res.status).toBe(200);
    expect(body.data.status).toBe('ready');
    expect(body.data.checks.projections.items).toEqual([
      expect.objectContaining({ name: 'noop', running: true, caughtUp: true, lastError: null }),
      // The process managers (contract cascades, collections) run beside the read models and count for readiness too.
      expect.objectContaining({ name: 'cascade:contracts', running: true, lastError: null }),
      expect.objectContaining({ name: 'process:collections', running: true, lastError: null }),
    ]);
  });

  it('answers an unknown route with 401 to anonymous callers and the NOT_FOUND envelope to others', async () => {
    const anonymous = await fetch(`${system.url}/v1/nothing-here`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="billstream"');
    const { token } = await http(system).userWithRole('USER', 'lost@example.com');
    const res = await fetch(`${system.url}/v1/nothing-here`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(404);
    const body = await json(res);
    expect(body).toEqual({
      error: { code: 'NOT_FOUND', reason: 'route.not_found', message: 'no route for GET /v1/nothing-here', requestId: res.headers.get('x-request-id') },
    });
  });

  it('answers malformed JSON with 400 and an oversized body with 413, never 500', async () => {
    const bad = await fetch(`${system.url}/health`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error).toMatchObject({ code: 'VALIDATION_ERROR', reason: 'request.malformed_json' });
    const big = await fetch(`${system.url}/health`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blob: 'x'.repeat(200_000) }),
    });
    expect(big.status).toBe(413);
    expect((await json(big)).error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', reason: 'request.body_too_large' });
  });

  it('answers a wrong method on a known route with 405 in the envelope', async () => {
    const res = await fetch(`${system.url}/ready`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect((await json(res)).error).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
    expect(res.headers.get('allow')).toContain('GET');
  });

  it('exposes Prometheus metrics with request latency by route', async () => {
    const res = await fetch(`${system.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/billstream_http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} \d+/);
  });
});

describe('readiness when a projection is stuck', () => {
  it('answers 503 naming the failing projection', async () => {
    const database = await createTestDatabase();
    const broken: Projection = {
      name: 'broken',
      apply: async () => {
        throw new Error('cannot apply');
      },
      reset: async () => {},
    };
    const system = await startOn(database, [broken]);
    try {
      await system.store.appendToStream(`stuck-${randomUUID()}`, [anEvent()], { expectedRevision: 'no_stream' });
      await expect.poll(async () => (await fetch(`${system.url}/ready`)).status, { timeout: 10_000 }).toBe(503);
      const res = await fetch(`${system.url}/ready`);
      expect(res.status).toBe(503);
      const body = await json(res);
      expect(body.data.checks.projections.items[0]).toMatchObject({ name: 'broken', lastError: 'cannot apply' });
    } finally {
      await system.stop();
      await database.close();
    }
  });
});
