import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEsdbEventStore,
  createPostgresEventStore,
  handleCommand,
  type EventStore,
} from '../../src/eventstore/index.js';
import { counterDecider } from '../support/counter.js';
import { createTestDatabase } from '../support/db.js';
import { startEsdbEmulator } from '../support/esdbEmulator/index.js';

const NOW = '2026-03-01T09:00:00.000Z';
const context = { correlationId: 'c', actor: { id: 'usr_1' }, source: 'api', occurredAt: new Date(NOW) };

type Harness = { store: EventStore; close: () => Promise<void> };

const adapters: ReadonlyArray<[string, () => Promise<Harness>]> = [
  [
    'postgres',
    async () => {
      const database = await createTestDatabase({ poolSize: 20 });
      const store = createPostgresEventStore({ pool: database.pool });
      return { store, close: async () => (await store.close(), await database.close()) };
    },
  ],
  [
    'esdb (emulator)',
    async () => {
      const emulator = await startEsdbEmulator();
      const store = createEsdbEventStore({ connectionString: emulator.url });
      return { store, close: async () => (await store.close(), await emulator.close()) };
    },
  ],
];

describe.each(adapters)('handleCommand on %s', (_name, open) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await open();
  });
  afterAll(() => harness?.close());

  it('serialises 12 concurrent commands on one stream through conflict retries, losing none', async () => {
    const { store } = harness;
    const stream = 'counter-race';
    await handleCommand(store, stream, counterDecider, { type: 'OpenCounter', data: { counterId: 'race', now: NOW } }, context);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        handleCommand(store, stream, counterDecider, { type: 'Increment', data: { by: i + 1, now: NOW } }, context, {
          maxRetries: 50,
        }),
      ),
    );
    const revisions = results.map((r) => r.nextExpectedRevision).sort((a, b) => Number(a! - b!));
    expect(revisions).toEqual(Array.from({ length: 12 }, (_, i) => BigInt(i + 1)));
    const events = await store.readStream(stream);
    const value = events.reduce(counterDecider.evolve as never, counterDecider.initialState());
    expect(value).toEqual({ status: 'open', value: 78 });
  });

  it('lets one of two concurrent creations of a deterministic stream win; the other sees it exists', async () => {
    const { store } = harness;
    const open = { type: 'OpenCounter' as const, data: { counterId: 'det', now: NOW } };
    const outcomes = await Promise.allSettled([
      handleCommand(store, 'counter-det', counterDecider, open, context),
      handleCommand(store, 'counter-det', counterDecider, open, context),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason as Error).message).toBe(
      'counter exists',
    );
    expect(await store.readStream('counter-det')).toHaveLength(1);
  });
});
