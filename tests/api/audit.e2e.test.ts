import { afterAll, beforeAll, expect, it } from 'vitest';
import type { System } from '../../src/root/system.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { http, startTestSystem } from './support.js';

let database: TestDatabase;
let system: System;
let api: ReturnType<typeof http>;
let manager: Awaited<ReturnType<ReturnType<typeof http>['userWithRole']>>;
let auditor: typeof manager;
let target: typeof manager;
let admin: typeof manager;
let position: string;
beforeAll(async () => {
  database = await createTestDatabase();
  system = await startTestSystem(database, { AUTH_RATE_LIMIT_PER_MINUTE: '100000', MIN_POSITION_WAIT_MS: '300' });
  api = http(system);
  manager = await api.userWithRole('MANAGER', 'audit-boss@example.com');
  auditor = await api.userWithRole('AUDITOR', 'auditor@example.com');
  target = await api.userWithRole('USER', 'audited@example.com');
  admin = await api.userWithRole('ADMIN', 'audit-admin@example.com');
  const promoted = await api.call('PATCH', `/v1/users/${target.userId}/role`, {
    token: manager.token,
    body: { role: 'ADMIN' },
    headers: { 'X-Request-Id': 'promote-request-0001' },
  });
  position = promoted.headers.get('x-position')!;
});
afterAll(async () => {
  await system?.stop();
  await database?.close();
});

it('serves the audit trail and raw streams to MANAGER and AUDITOR only', async () => {
  for (const [caller, expected] of [[manager, 200], [auditor, 200], [admin, 403], [target, 403]] as const) {
    expect((await api.call('GET', '/v1/audit', { token: caller.token })).status).toBe(expected);
    expect((await api.call('GET', `/v1/streams/user-${target.userId}`, { token: caller.token })).status).toBe(expected);
  }
});

it('filters the audit trail and pages through it by cursor', async () => {
  const stream = `user-${target.userId}`;
  const entries = await api.call('GET', `/v1/audit?stream=${stream}`, { token: auditor.token, headers: { 'X-Min-Position': position } });
  expect(entries.status).toBe(200);
  expect(entries.body.data.map((e: { type: string }) => e.type)).toEqual(['UserRegistered', 'UserRoleChanged']);
  expect(entries.body.data[1]).toMatchObject({
    actor: { id: manager.userId, role: 'MANAGER' },
    correlationId: 'promote-request-0001',
    changes: { role: { before: 'USER', after: 'ADMIN' } },
  });

  const byActor = await api.call('GET', `/v1/audit?actor=${manager.userId}&type=UserRoleChanged`, { token: auditor.token });
  expect(byActor.body.data).toHaveLength(1);

  const first = await api.call('GET', `/v1/audit?stream=${stream}&limit=1`, { token: auditor.token });
  expect(first.body.page.hasMore).toBe(true);
  const second = await api.call('GET', `/v1/audit?stream=${stream}&limit=1&cursor=${first.body.page.nextCursor}`, { token: auditor.token });
  expect(second.body.data[0].type).toBe('UserRoleChanged');
  expect(second.body.page).toEqual({ hasMore: false, nextCursor: null });

  const bad = await api.call('GET', '/v1/audit?from=yesterday', { token: auditor.token });
  expect(bad.status).toBe(400);
  expect(bad.body.error.details.fields[0]).toMatchObject({ location: 'query', path: 'from' });
});

it('shows a stream raw, with metadata, and 404 for one that does not exist', async () => {
  const res = await api.call('GET', `/v1/streams/user-${target.userId}`, { token: auditor.token });
  expect(res.body.data.map((e: { revision: string; type: string }) => [e.revision, e.type])).toEqual([
    ['0', 'UserRegistered'],
    ['1', 'UserRoleChanged'],
  ]);
  expect(res.body.data[1].metadata).toMatchObject({ actor: { id: manager.userId, role: 'MANAGER' }, source: 'api' });
  expect((await api.call('GET', '/v1/streams/user-usr_nobody', { token: auditor.token })).status).toBe(404);
});

it('answers 503 when a read model does not reach X-Min-Position in time', async () => {
  const res = await api.call('GET', '/v1/audit', { token: auditor.token, headers: { 'X-Min-Position': '9000000000000/0' } });
  expect(res.status).toBe(503);
  expect(res.body.error).toMatchObject({ code: 'NOT_READY', reason: 'projection.behind' });
  expect((await api.call('GET', '/v1/audit', { token: auditor.token, headers: { 'X-Min-Position': 'soon' } })).status).toBe(400);
});
