import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createSilentLogger } from '../../src/logger.js';
import { getStreamSummary } from '../../src/projections/streams/index.js';
import { startSystem, type System } from '../../src/system.js';
import { events } from '../eventstore/conformanceSupport.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startEsdbEmulator, type EsdbEmulator } from '../support/esdbEmulator/index.js';

let emulator: EsdbEmulator;
let database: TestDatabase;
let system: System;
beforeAll(async () => {
  emulator = await startEsdbEmulator();
  database = await createTestDatabase();
  system = await startSystem(
    loadConfig({ DATABASE_URL: database.url, EVENTSTORE_URL: emulator.url, PORT: '0', HOST: '127.0.0.1', JWT_SECRET: 'e2e-secret-0123456789-0123456789-abc' }),
    createSilentLogger(),
  );
});
afterAll(async () => {
  await system?.stop();
  await database?.close();
  await emulator?.close();
});

it('runs the whole system on EventStoreDB: events there, read models in PostgreSQL, ready over HTTP', async () => {
  expect(system.store.kind).toBe('esdb');
  await system.store.appendToStream('customer-cus_e2e', events(3, 'CustomerUpdated'), { expectedRevision: 'no_stream' });
  const head = await system.store.headPosition();
  expect(await system.projections.waitFor(['streams'], head!, 10_000)).toBe(true);
  expect(await getStreamSummary(system.db, 'customer-cus_e2e')).toMatchObject({ eventCount: 3n, category: 'customer' });

  const ready = await fetch(`${system.url}/ready`);
  expect(ready.status).toBe(200);
  const body = (await ready.json()) as { data: { checks: { eventStore: { ok: boolean } } } };
  expect(body.data.checks.eventStore.ok).toBe(true);
});

it('reports the event store as down on /ready while the server is unreachable', async () => {
  await emulator.close();
  const ready = await fetch(`${system.url}/ready`);
  expect(ready.status).toBe(503);
});
