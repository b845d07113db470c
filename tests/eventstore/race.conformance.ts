import { expect, it } from 'vitest';
import { WrongExpectedRevisionError, type EventToAppend } from '../../src/eventstore/index.js';
import { anEvent, collect, DELIVERY, seededRandom, sleep, uniquePrefix, type ConformanceFixture } from './conformanceSupport.js';

const WRITERS = 16;
const APPENDS_PER_WRITER = 30;
const SHARED_STREAMS = 4;
const SUBSCRIBERS = 4;

/**
 * SPEC §4: no subscriber ever skips or repeats an event while many writers
 * append at once and transactions roll back. Writers contend on shared streams
 * (exact expected revisions, retried on conflict), hold some transactions open
 * so they commit after later ones, and roll some back. Subscribers run live from
 * before the first write, and one more starts half-way from the beginning.
 */
export const raceScenario = (getFixture: () => ConformanceFixture, transactions: boolean) =>
  it(`delivers every committed event exactly once, in one order, to concurrent subscribers (${WRITERS} writers)`, async () => {
    const { store, openAppend } = getFixture();
    const prefix = uniquePrefix('race');
    const filter = { streamPrefixes: [prefix] };
    const subscribers = Array.from({ length: SUBSCRIBERS }, () => collect(store, { filter }));
    const committed = new Set<string>();
    const rolledBack = new Set<string>();
    let lateSubscriber: ReturnType<typeof collect> | undefined;

    const appendWithRetry = async (streamName: string, batch: EventToAppend[]) => {
      for (let attempt = 0; ; attempt++) {
        const current = await store.readStream(streamName, { direction: 'backwards', maxCount: 1 }).catch(() => []);
        const expectedRevision = current[0]?.revision ?? 'no_stream';
        try {
          await store.appendToStream(streamName, batch, { expectedRevision });
          return;
        } catch (err) {
          if (!(err instanceof WrongExpectedRevisionError) || attempt > 50) throw err;
        }
      }
    };

    const writer = async (w: number) => {
      const random = seededRandom(w + 1);
      for (let i = 0; i < APPENDS_PER_WRITER; i++) {
        if (w === 0 && i === APPENDS_PER_WRITER / 2) lateSubscriber = collect(store, { filter });
        const shared = random() < 0.4;
        const streamName = shared ? `${prefix}shared-${Math.floor(random() * SHARED_STREAMS)}` : `${prefix}w${w}`;
        const batch = Array.from({ length: 1 + Math.floor(random() * 3) }, () => anEvent(`E${w}`, { w, i }));
        const roll = random();
        if (transactions && roll < 0.12) {
          const open = await openAppend!(`${prefix}rollback-${w}`, batch);
          await sleep(random() * 10);
          await open.rollback();
          batch.forEach((e) => rolledBack.add(e.eventId));
        } else if (transactions && roll < 0.3) {
          // Committed late: later transactions commit first.
          const open = await openAppend!(`${prefix}late-${w}-${i}`, batch);
          await sleep(5 + random() * 30);
          await open.commit();
          batch.forEach((e) => committed.add(e.eventId));
        } else {
          await appendWithRetry(streamName, batch);
          batch.forEach((e) => committed.add(e.eventId));
        }
      }
    };

    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    // Appended after every other transaction ended, so last in position order:
    // anything repeated or rolled back would be delivered before it.
    const end = anEvent('End');
    await store.appendToStream(`${prefix}end`, [end], { expectedRevision: 'no_stream' });
    committed.add(end.eventId);
    const everyone = [...subscribers, lateSubscriber!];
    for (const s of everyone) {
      await expect.poll(() => s.received.some((e) => e.eventId === end.eventId), { ...DELIVERY, timeout: 30_000 }).toBe(true);
    }
    await Promise.all(everyone.map((s) => s.close()));

    const stored = await store.readAll({ filter, maxCount: 100_000 });
    const order = stored.map((e) => e.eventId);
    expect(new Set(order)).toEqual(committed);
    for (const subscriber of everyone) {
      const ids = subscriber.received.map((e) => e.eventId);
      expect(ids).toHaveLength(committed.size);
      expect(ids).toEqual(order);
      expect(ids.filter((id) => rolledBack.has(id))).toEqual([]);
    }
    // Each stream's events arrive in revision order, none missing.
    const revisions = new Map<string, bigint[]>();
    for (const e of subscribers[0]!.received) revisions.set(e.streamName, [...(revisions.get(e.streamName) ?? []), e.revision]);
    for (const [, revs] of revisions) expect(revs).toEqual(revs.map((_, i) => BigInt(i)));
    expect([...revisions.keys()].filter((s) => s.includes('shared-')).length).toBeGreaterThan(0);
    if (transactions) expect(rolledBack.size).toBeGreaterThan(0);
  });
