import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresEventStore,
  shareLogReader,
  type EventStore,
  type PostgresEventStore,
  type SubscriptionMessage,
} from '../../src/eventstore/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { anEvent, collect, DELIVERY, events, postgresOpenAppend, uniquePrefix } from './conformanceSupport.js';
import { eventStoreConformance } from './eventStore.conformance.js';

// Subscribers of the shared reader see what the store's own subscriptions show them, late commits included.
eventStoreConformance(
  'postgres, one reader shared by every subscriber',
  async () => {
    const database = await createTestDatabase({ poolSize: 40 });
    const base = createPostgresEventStore({ pool: database.pool, connectionString: database.url, pollIntervalMs: 200 });
    await base.start();
    const openAppend = postgresOpenAppend(database.pool);
    return { store: shareLogReader(base), openAppend, close: async () => (await base.close(), await database.close()) };
  },
  { transactions: true, globallyUniqueEventIds: true },
);

describe('one reader of the log shared by a process', () => {
  let database: TestDatabase;
  let base: PostgresEventStore;
  let pageReads = 0;
  beforeAll(async () => {
    database = await createTestDatabase();
    // Counts the store's page query, the statement each subscriber ran on its own before.
    const query = database.pool.query.bind(database.pool) as (...args: unknown[]) => Promise<unknown>;
    (database.pool as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = (...args: unknown[]) => {
      if ((args[0] as { name?: string } | undefined)?.name === 'es_read_page') pageReads++;
      return query(...args);
    };
    base = createPostgresEventStore({ pool: database.pool, connectionString: database.url, pollIntervalMs: 60_000 });
    await base.start();
  });
  afterAll(async () => {
    await base.close();
    await database.close();
  });

  it('reads each page once for twelve subscribers, and gives each exactly what its own filter and position would', async () => {
    const store = shareLogReader(base);
    const prefixes = Array.from({ length: 4 }, (_, i) => uniquePrefix(`share${i}`));
    await store.appendToStream(`${prefixes[0]}old`, events(3), { expectedRevision: 'no_stream' });
    const [start] = (await store.readAll({ filter: { streamPrefixes: [prefixes[0]!] }, maxCount: 1 })).map((e) => e.position);
    const head = await store.headPosition();
    const subscribers = Array.from({ length: 12 }, (_, i) => {
      const filter = i % 3 === 0 ? undefined : { streamPrefixes: [prefixes[i % 4]!], ...(i % 3 === 2 && { eventTypes: ['Wanted'] }) };
      const fromPosition = i === 11 ? start : head;
      return { filter, fromPosition, sub: collect(store, { ...(filter && { filter }), ...(fromPosition && { fromPosition }) }) };
    });
    await expect.poll(() => subscribers.every((s) => s.sub.caughtUpCount() > 0), DELIVERY).toBe(true);

    const readsBefore = pageReads;
    const appends = 20;
    for (let n = 0; n < appends; n++) {
      await store.appendToStream(`${prefixes[n % 4]}${n}`, [anEvent(n % 2 ? 'Wanted' : 'Other')], { expectedRevision: 'no_stream' });
      const everyone = subscribers[0]!.sub;
      await expect.poll(() => everyone.received.length, DELIVERY).toBe(n + 1);
    }
    for (const s of subscribers) {
      const expected = await store.readAll({ ...(s.filter && { filter: s.filter }), ...(s.fromPosition && { fromPosition: s.fromPosition }) });
      await expect.poll(() => s.sub.received.map((e) => e.eventId), DELIVERY).toEqual(expected.map((e) => e.eventId));
    }
    // Twelve subscribers reading on their own make at least 12 reads an append.
    expect(pageReads - readsBefore).toBeLessThan(appends * 3);
    await Promise.all(subscribers.map((s) => s.sub.close()));
  });

  it('lets a subscriber join behind the others without anyone seeing an event twice', async () => {
    const store = shareLogReader(base);
    const prefix = uniquePrefix('behind');
    await store.appendToStream(`${prefix}a`, events(5), { expectedRevision: 'no_stream' });
    const live = collect(store, { filter: { streamPrefixes: [prefix] }, ...((await store.headPosition()) && { fromPosition: (await store.headPosition())! }) });
    await expect.poll(live.caughtUpCount, DELIVERY).toBeGreaterThan(0);
    await store.appendToStream(`${prefix}a`, events(2), { expectedRevision: 4n });
    await expect.poll(() => live.received.length, DELIVERY).toBe(2);
    const late = collect(store, { filter: { streamPrefixes: [prefix] } });
    await expect.poll(() => late.received.length, DELIVERY).toBe(7);
    await store.appendToStream(`${prefix}a`, events(1), { expectedRevision: 6n });
    await expect.poll(() => late.received.length, DELIVERY).toBe(8);
    await expect.poll(() => live.received.length, DELIVERY).toBe(3);
    expect(late.received.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n]);
    expect(live.received.map((e) => e.revision)).toEqual([5n, 6n, 7n]);
    await Promise.all([live.close(), late.close()]);
  });

  it('lets a subscriber far behind (a rebuild) catch up on its own, holding none of the others back, then join them', async () => {
    const store = shareLogReader(base, { maxQueued: 4 });
    const prefix = uniquePrefix('rebuild');
    await store.appendToStream(`${prefix}old`, events(10), { expectedRevision: 'no_stream' });
    const head = await store.headPosition();
    const live = collect(store, { filter: { streamPrefixes: [prefix] }, ...(head && { fromPosition: head }) });
    await expect.poll(live.caughtUpCount, DELIVERY).toBeGreaterThan(0);
    // From the start, and taking nothing yet: on the shared subscription, its 4 waiting messages would stop everyone.
    const rebuilding = store.subscribeToAll({ filter: { streamPrefixes: [prefix] } });
    const rebuilt = rebuilding[Symbol.asyncIterator]();
    const nextEvent = async () => {
      for (;;) {
        const message = (await rebuilt.next()).value as SubscriptionMessage;
        if (message.kind === 'event') return message.event;
      }
    };
    await store.appendToStream(`${prefix}new`, events(10), { expectedRevision: 'no_stream' });
    await expect.poll(() => live.received.length, DELIVERY).toBe(10);
    const caughtUp = [];
    while (caughtUp.length < 20) caughtUp.push(await nextEvent());
    expect(caughtUp.map((e) => e.streamName)).toEqual([...Array<string>(10).fill(`${prefix}old`), ...Array<string>(10).fill(`${prefix}new`)]);
    // Caught up, it reads with the others: the next append reaches both, once.
    await store.appendToStream(`${prefix}later`, events(1), { expectedRevision: 'no_stream' });
    expect((await nextEvent()).streamName).toBe(`${prefix}later`);
    await expect.poll(() => live.received.length, DELIVERY).toBe(11);
    await Promise.all([live.close(), rebuilding.close()]);
  });

  it('holds nobody back for one far behind that subscribed first', async () => {
    const store = shareLogReader(base, { maxQueued: 4 });
    const prefix = uniquePrefix('first');
    await store.appendToStream(`${prefix}old`, events(10), { expectedRevision: 'no_stream' });
    const behind = store.subscribeToAll({ filter: { streamPrefixes: [prefix] } });
    const started = behind[Symbol.asyncIterator]().next();
    const head = await store.headPosition();
    const live = collect(store, { filter: { streamPrefixes: [prefix] }, ...(head && { fromPosition: head }) });
    await expect.poll(live.caughtUpCount, DELIVERY).toBeGreaterThan(0);
    await store.appendToStream(`${prefix}new`, events(3), { expectedRevision: 'no_stream' });
    await expect.poll(() => live.received.length, DELIVERY).toBe(3);
    expect(((await started).value as SubscriptionMessage).kind).toBe('event');
    await Promise.all([live.close(), behind.close()]);
  });

  it('lets go of a subscriber that leaves maxQueued messages waiting: the others go on, and it misses nothing', async () => {
    const store = shareLogReader(base, { maxQueued: 4 });
    const prefix = uniquePrefix('slow');
    const from = await store.headPosition();
    const fast = collect(store, { filter: { streamPrefixes: [prefix] }, ...(from && { fromPosition: from }) });
    const slow = store.subscribeToAll({ filter: { streamPrefixes: [prefix] }, ...(from && { fromPosition: from }) });
    const slowly = slow[Symbol.asyncIterator]();
    // Caught up and on the shared subscription, then it stops reading.
    while (((await slowly.next()).value as SubscriptionMessage).kind !== 'caughtUp');
    await expect.poll(fast.caughtUpCount, DELIVERY).toBeGreaterThan(0);
    for (let i = 0; i < 10; i++) await store.appendToStream(`${prefix}${i}`, events(1), { expectedRevision: 'no_stream' });
    await expect.poll(() => fast.received.length, DELIVERY).toBe(10);
    const taken: string[] = [];
    while (taken.length < 10) {
      const message = (await slowly.next()).value as SubscriptionMessage;
      if (message.kind === 'event') taken.push(message.event.streamName);
    }
    expect(taken).toEqual(fast.received.map((e) => e.streamName));
    await Promise.all([fast.close(), slow.close()]);
  });

  it('forgets a subscriber whose consumer stops iterating without closing it', async () => {
    const store = shareLogReader(base, { maxQueued: 4 });
    const prefix = uniquePrefix('gone');
    const other = collect(store, { filter: { streamPrefixes: [prefix] } });
    for await (const message of store.subscribeToAll({ filter: { streamPrefixes: [prefix] } })) {
      if (message.kind === 'caughtUp') break;
    }
    await expect.poll(other.caughtUpCount, DELIVERY).toBeGreaterThan(0);
    for (let i = 0; i < 10; i++) await store.appendToStream(`${prefix}${i}`, events(1), { expectedRevision: 'no_stream' });
    await expect.poll(() => other.received.length, DELIVERY).toBe(10);
    await other.close();
  });

  it('fails every subscriber when the shared read fails, and serves them again once they resubscribe', async () => {
    const store: EventStore = shareLogReader(base);
    const prefix = uniquePrefix('fail');
    const outcomes = [0, 1].map(() => {
      const subscription = store.subscribeToAll({ filter: { streamPrefixes: [prefix] } });
      return (async () => {
        for await (const message of subscription) void message;
      })().then(
        () => 'ended',
        (err: Error) => err.message,
      );
    });
    const pool = database.pool as unknown as { query: (...args: unknown[]) => Promise<unknown> };
    const query = pool.query;
    pool.query = (...args) =>
      (args[0] as { name?: string } | undefined)?.name === 'es_read_page' ? Promise.reject(new Error('connection lost')) : query(...args);
    await store.appendToStream(`${prefix}a`, events(1), { expectedRevision: 'no_stream' });
    expect(await Promise.all(outcomes)).toEqual(['connection lost', 'connection lost']);
    pool.query = query;
    const again = collect(store, { filter: { streamPrefixes: [prefix] } });
    await store.appendToStream(`${prefix}b`, events(1), { expectedRevision: 'no_stream' });
    await expect.poll(() => again.received.length, DELIVERY).toBeGreaterThanOrEqual(1);
    await again.close();
  });
});
