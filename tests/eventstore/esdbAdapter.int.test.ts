import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEsdbEventStore, type EventStore, type SubscriptionMessage } from '../../src/eventstore/index.js';
import { startEsdbEmulator, type EsdbEmulator } from '../support/esdbEmulator/index.js';
import { anEvent, collect, DELIVERY, events, uniquePrefix } from './conformanceSupport.js';

let emulator: EsdbEmulator;
let store: EventStore;
beforeAll(async () => {
  emulator = await startEsdbEmulator();
  store = createEsdbEventStore({ connectionString: emulator.url, resubscribeDelayMs: 20 });
});
afterAll(async () => {
  await store.close();
  await emulator.close();
});

describe('EventStoreDB adapter beyond the port contract', () => {
  it('resubscribes after the server drops the connection, skipping and repeating nothing', async () => {
    const prefix = uniquePrefix('drop');
    const sub = collect(store, { filter: { streamPrefixes: [prefix] } });
    await store.appendToStream(`${prefix}a`, events(3), { expectedRevision: 'no_stream' });
    await expect.poll(() => sub.received.length, DELIVERY).toBe(3);
    emulator.dropConnections();
    await store.appendToStream(`${prefix}a`, events(3), { expectedRevision: 2n });
    const [end] = events(1);
    await store.appendToStream(`${prefix}b`, [...events(1), end!], { expectedRevision: 'no_stream' });
    // The last event in log order: a repeat after resubscribing would be delivered before it.
    await expect.poll(() => sub.received.some((e) => e.eventId === end!.eventId), DELIVERY).toBe(true);
    await sub.close();
    const ids = sub.received.map((e) => e.eventId);
    expect(ids).toHaveLength(8);
    expect(ids).toEqual((await store.readAll({ filter: { streamPrefixes: [prefix] } })).map((e) => e.eventId));
  });

  it('passes on the server filter checkpoints, so a consumer can move past events it never sees', async () => {
    const prefix = uniquePrefix('quiet');
    const subscription = store.subscribeToAll({ filter: { streamPrefixes: [prefix] } });
    const messages: SubscriptionMessage[] = [];
    const reading = (async () => {
      for await (const message of subscription) messages.push(message);
    })();
    const others = uniquePrefix('noise');
    for (let i = 0; i < 40; i++) await store.appendToStream(`${others}${i}`, [anEvent()], { expectedRevision: 'no_stream' });
    const [firstNoise] = await store.readAll({ filter: { streamPrefixes: [others] }, maxCount: 1 });
    const checkpoint = () => messages.find((m) => m.kind === 'checkpoint');
    await expect.poll(checkpoint, DELIVERY).toBeDefined();
    await subscription.close();
    await reading;
    expect(messages.filter((m) => m.kind === 'event')).toEqual([]);
    const reached = checkpoint();
    expect(reached?.kind === 'checkpoint' && reached.position.commit > firstNoise!.position.commit).toBe(true);
  });
});
