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

describe.each(adapters)('a command retried with its commandId, on %s', (_name, open) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await open();
  });
  afterAll(() => harness?.close());

  const openCounter = (store: EventStore, stream: string) =>
    handleCommand(store, stream, counterDecider, { type: 'OpenCounter', data: { counterId: stream, now: NOW } }, context);
  const inc = (by: number) => ({ type: 'Increment' as const, data: { by, now: NOW } });
  const close = { type: 'CloseCounter' as const, data: { now: NOW } };

  it('decides on the stream the caller just read, and on a fresh read once that turns out stale', async () => {
    const { store } = harness;
    const stream = 'counter-preread';
    await openCounter(store, stream);
    const read = await store.readStream(stream);
    // Current: decided on it, appended at its revision.
    const first = await handleCommand(store, stream, counterDecider, inc(2), context, { recorded: read });
    expect(first).toMatchObject({ newState: { status: 'open', value: 2 }, nextExpectedRevision: 1n });
    // Stale now (one event behind): the append's check refuses it, and the fresh read decides.
    const second = await handleCommand(store, stream, counterDecider, inc(3), context, { recorded: read });
    expect(second).toMatchObject({ newState: { status: 'open', value: 5 }, nextExpectedRevision: 2n });
    // A command the pre-read does not show, though the stream has it: answered from the stream, not appended twice.
    const stored = await handleCommand(store, stream, counterDecider, inc(4), { ...context, commandId: 'pre-4' });
    const again = await handleCommand(store, stream, counterDecider, inc(4), { ...context, commandId: 'pre-4' }, { recorded: read });
    expect(again).toEqual(stored);
    expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['CounterOpened', 'Incremented', 'Incremented', 'Incremented']);
  });

  it('answers with what the first run stored, after other commands changed the stream', async () => {
    const { store } = harness;
    const stream = 'counter-retried';
    await openCounter(store, stream);
    const first = await handleCommand(store, stream, counterDecider, inc(7), { ...context, commandId: 'cmd-7' });
    await handleCommand(store, stream, counterDecider, inc(100), context);
    const retry = await handleCommand(store, stream, counterDecider, inc(7), { ...context, commandId: 'cmd-7' });
    expect(retry).toEqual({
      newEvents: [{ type: 'Incremented', data: { by: 7 } }],
      newState: { status: 'open', value: 7 },
      nextExpectedRevision: 1n,
      position: first.position,
    });
    expect(retry).toEqual(first);
    expect(await store.readStream(stream)).toHaveLength(3);
  });

  it('answers a retry that could no longer be decided, and ignores an If-Match the first run already used', async () => {
    const { store } = harness;
    const stream = 'counter-closed-later';
    await openCounter(store, stream);
    const first = await handleCommand(store, stream, counterDecider, inc(3), { ...context, commandId: 'cmd-3', expectedRevision: 0n });
    await handleCommand(store, stream, counterDecider, close, context);
    const retry = await handleCommand(store, stream, counterDecider, inc(3), { ...context, commandId: 'cmd-3', expectedRevision: 0n });
    expect(retry).toEqual(first);
    expect(retry.newState).toEqual({ status: 'open', value: 3 });
    // A new command on the closed counter is decided, and refused.
    await expect(handleCommand(store, stream, counterDecider, inc(3), { ...context, commandId: 'cmd-4' })).rejects.toMatchObject({
      reason: 'counter.not_open',
    });
  });

  it('gives every concurrent run of one command the stored answer while other commands race it', async () => {
    const { store } = harness;
    // A run that read the stream before another run of its command wrote, and appended
    // after others had, is answered by the store with that earlier write: 20 rounds make it happen.
    for (let round = 0; round < 20; round++) {
      const stream = `counter-same-command-${round}`;
      const commandId = `cmd-5-${round}`;
      await openCounter(store, stream);
      const runs = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          i % 2 === 0
            ? handleCommand(store, stream, counterDecider, inc(5), { ...context, commandId }, { maxRetries: 50 })
            : handleCommand(store, stream, counterDecider, inc(100), context, { maxRetries: 50 }),
        ),
      );
      const events = await store.readStream(stream);
      expect(events.filter((e) => e.metadata.commandId === commandId)).toHaveLength(1);
      const mine = events.findIndex((e) => e.metadata.commandId === commandId);
      const stored = {
        newEvents: [{ type: 'Incremented', data: { by: 5 } }],
        newState: events.slice(0, mine + 1).reduce(counterDecider.evolve as never, counterDecider.initialState()),
        nextExpectedRevision: events[mine]!.revision,
        position: events[mine]!.position,
      };
      for (const run of runs.filter((_, i) => i % 2 === 0)) expect(run).toEqual(stored);
    }
  });
});
