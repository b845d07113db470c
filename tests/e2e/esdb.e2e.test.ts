import { afterAll, beforeAll, expect, it } from 'vitest';
import { getStreamSummary } from '../../src/projections/stream/index.js';
import type { System } from '../../src/root/system.js';
import { http, startTestSystem } from '../api/support.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startEsdbEmulator, type EsdbEmulator } from '../support/esdbEmulator/index.js';

let emulator: EsdbEmulator;
let database: TestDatabase;
let system: System;
beforeAll(async () => {
  emulator = await startEsdbEmulator();
  database = await createTestDatabase();
  system = await startTestSystem(database, { EVENTSTORE_URL: emulator.url, AUTH_RATE_LIMIT_PER_MINUTE: '1000' });
});
afterAll(async () => {
  await system?.stop();
  await database?.close();
  await emulator?.close();
});

it('runs on EventStoreDB: commands over HTTP, events in the server, results read back from PostgreSQL', async () => {
  expect(system.store.kind).toBe('esdb');
  const api = http(system);
  const boss = await api.userWithRole('MANAGER', 'esdb-boss@example.com');
  const registered = await api.call('POST', '/v1/auth/register', {
    body: { email: 'esdb-user@example.com', password: 'a-long-password', displayName: 'On ESDB' },
  });
  expect(registered.status).toBe(201);
  const userId = registered.body.data.userId as string;

  const promoted = await api.call('PATCH', `/v1/users/${userId}/role`, { token: boss.token, body: { role: 'ADMIN' } });
  expect(promoted.status).toBe(200);
  const position = promoted.headers.get('x-position')!;
  expect(position).toMatch(/^\d+\/\d+$/);

  const read = await api.call('GET', `/v1/users/${userId}`, { token: boss.token, headers: { 'X-Min-Position': position } });
  expect(read.body.data).toMatchObject({ role: 'ADMIN', active: true, revision: '1' });
  const audit = await api.call('GET', `/v1/audit?stream=user-${userId}`, { token: boss.token, headers: { 'X-Min-Position': position } });
  expect(audit.body.data.map((e: { type: string }) => e.type)).toEqual(['UserRegistered', 'UserRoleChanged']);
  const raw = await api.call('GET', `/v1/streams/user-${userId}`, { token: boss.token });
  expect(raw.body.data.map((e: { position: string }) => e.position)).toContain(position);

  // The events are in the EventStoreDB server, the catalogue of them in PostgreSQL.
  const events = await system.store.readStream(`user-${userId}`);
  expect(events.map((e) => e.type)).toEqual(['UserRegistered', 'UserRoleChanged']);
  expect(await system.projections.waitFor(['streams'], events[1]!.position, 10_000)).toBe(true);
  expect(await getStreamSummary(system.db, `user-${userId}`)).toMatchObject({ eventCount: 2n, category: 'user' });

  const ready = await api.call('GET', '/ready');
  expect(ready.status).toBe(200);
  expect(ready.body.data.checks.eventStore.ok).toBe(true);
});

it('reports the event store as down on /ready while the server is unreachable', async () => {
  await emulator.close();
  const ready = await fetch(`${system.url}/ready`);
  expect(ready.status).toBe(503);
});
