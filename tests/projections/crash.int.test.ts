import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPostgresEventStore, type PostgresEventStore } from '../../src/eventstore/index.js';
import { getCheckpoint } from '../../src/projections/runtime/index.js';
import { events } from '../eventstore/conformanceSupport.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { createTestTables, readTotals } from './testProjection.js';

const projector = fileURLToPath(new URL('../support/crashProjector.ts', import.meta.url));

let database: TestDatabase;
let store: PostgresEventStore;
beforeAll(async () => {
  database = await createTestDatabase();
  store = createPostgresEventStore({ pool: database.pool });
});
afterAll(async () => {
  await store.close();
  await database.close();
});

const startProjector = (args: string[]): ChildProcess =>
  spawn(process.execPath, ['--import', 'tsx', projector, database.url, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });

const linesOf = (child: ChildProcess, onLine: (line: string) => void) => {
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    lines.forEach(onLine);
  });
};

const exited = (child: ChildProcess) =>
  new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));

it('loses and repeats nothing when the projector is killed mid-batch and restarted', async () => {
  const name = 'p_crash';
  const prefix = `crash${randomUUID().slice(0, 6)}-`;
  await createTestTables(database.db, name);
  for (let s = 0; s < 20; s++) {
    await store.appendToStream(`${prefix}${s}`, events(50), { expectedRevision: 'no_stream' });
  }

  // First run: each batch lingers 300 ms before its commit; SIGKILL while the third lingers.
  const first = startProjector([name, prefix, '300']);
  let batches = 0;
  linesOf(first, (line) => {
    if (line.startsWith('BATCH_WRITTEN') && ++batches === 3) first.kill('SIGKILL');
  });
  expect(await exited(first)).toBe('SIGKILL');
  // The dead session's transaction ends once PostgreSQL notices; wait for its lock to go.
  await database.pool.query(`select 1 from read.projection_checkpoints where name = $1 for update`, [name]);

  // Two batches of 100 committed; the third's rows went with its transaction.
  expect(await readTotals(database.db, name)).toEqual({ applied: 200, total: 200 });
  expect((await getCheckpoint(database.db, name))?.eventsApplied).toBe(200n);

  // Second run: no lingering, killed after its fourth batch, wherever that finds it.
  const second = startProjector([name, prefix, '0']);
  let written = 0;
  linesOf(second, (line) => {
    if (line.startsWith('BATCH_WRITTEN') && ++written === 4) second.kill('SIGKILL');
  });
  await exited(second);
  await database.pool.query(`select 1 from read.projection_checkpoints where name = $1 for update`, [name]);
  const midway = await readTotals(database.db, name);
  const checkpoint = await getCheckpoint(database.db, name);
  expect(midway.applied).toBe(midway.total);
  expect(BigInt(midway.applied)).toBe(checkpoint!.eventsApplied);
  expect(midway.applied).toBeGreaterThanOrEqual(500);
  expect(midway.applied).toBeLessThan(1000);

  // Third run: finishes.
  const third = startProjector([name, prefix, '0']);
  await expect.poll(async () => (await readTotals(database.db, name)).applied, { timeout: 30_000, interval: 50 }).toBe(1000);
  third.kill('SIGTERM');
  expect(await exited(third)).toBe(0);
  expect(await readTotals(database.db, name)).toEqual({ applied: 1000, total: 1000 });
  expect((await getCheckpoint(database.db, name))?.eventsApplied).toBe(1000n);
});
