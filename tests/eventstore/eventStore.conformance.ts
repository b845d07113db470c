import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  comparePositions,
  DuplicateEventIdError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
  type EventStore,
  type ExpectedRevision,
} from '../../src/eventstore/index.js';
import { anEvent, collect, DELIVERY, events, FIXED_NOW, uniquePrefix, type ConformanceFixture } from './conformanceSupport.js';
import { raceScenario } from './race.conformance.js';

/** The EventStore port's contract (SPEC §4), run against every adapter. */
export type Capabilities = Readonly<{
  /** The harness can hold an append's transaction open, commit it late or roll it back. */
  transactions: boolean;
  /**
   * An event id is unique across all streams. EventStoreDB makes ids idempotent
   * per stream only, so there a batch cannot be made to fail part-way.
   */
  globallyUniqueEventIds: boolean;
}>;

export const eventStoreConformance = (
  adapter: string,
  setup: () => Promise<ConformanceFixture>,
  capabilities: Capabilities,
) =>
  describe(`EventStore conformance: ${adapter}`, () => {
    let fixture: ConformanceFixture;
    let store: EventStore;
    beforeAll(async () => {
      fixture = await setup();
      store = fixture.store;
    });
    afterAll(() => fixture?.close());

    const stream = () => `confo-${randomUUID()}`;

    describe('expected revision', () => {
      const cases: ReadonlyArray<[string, number, ExpectedRevision, 'ok' | bigint | 'no_stream']> = [
        ['no_stream on a new stream', 0, 'no_stream', 'ok'],
        ['no_stream on an existing stream', 2, 'no_stream', 1n],
        ['stream_exists on a new stream', 0, 'stream_exists', 'no_stream'],
        ['stream_exists on an existing stream', 1, 'stream_exists', 'ok'],
        ['any on a new stream', 0, 'any', 'ok'],
        ['any on an existing stream', 3, 'any', 'ok'],
        ['the exact revision', 3, 2n, 'ok'],
        ['a stale revision', 3, 1n, 2n],
        ['a revision ahead of the stream', 1, 5n, 0n],
        ['a revision on a new stream', 0, 0n, 'no_stream'],
      ];
      it.each(cases)('%s', async (_label, existing, expectedRevision, outcome) => {
        const name = stream();
        if (existing > 0) await store.appendToStream(name, events(existing), { expectedRevision: 'no_stream' });
        const attempt = store.appendToStream(name, [anEvent()], { expectedRevision });
        if (outcome === 'ok') {
          const result = await attempt;
          expect(result.nextExpectedRevision).toBe(BigInt(existing));
          return;
        }
        const error = await attempt.catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ streamName: name, expected: expectedRevision, actual: outcome });
        expect(await store.readStream(name).catch(() => [])).toHaveLength(existing);
      });

      it('lets exactly one of many concurrent no_stream appends create a stream', async () => {
        const name = stream();
        const results = await Promise.allSettled(
          Array.from({ length: 12 }, () => store.appendToStream(name, [anEvent()], { expectedRevision: 'no_stream' })),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results.filter((r) => r.status === 'rejected')) {
          expect((r as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
        }
        expect(await store.readStream(name)).toHaveLength(1);
      });
    });

    describe('appending', () => {
      it('appends a batch atomically with consecutive revisions and one position per event', async () => {
        const name = stream();
        const batch = events(3);
        const result = await store.appendToStream(name, batch, { expectedRevision: 'no_stream' });
        const read = await store.readStream(name);
        expect(read.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
        expect(read.map((e) => e.eventId)).toEqual(batch.map((e) => e.eventId));
        expect(result).toEqual({ nextExpectedRevision: 2n, position: read[2]!.position });
        expect(comparePositions(read[0]!.position, read[1]!.position)).toBeLessThan(0);
        expect(comparePositions(read[1]!.position, read[2]!.position)).toBeLessThan(0);
      });

      it('round-trips data, metadata and sets recordedAt', async () => {
        const name = stream();
        const event = anEvent('PlanPriced', { amount: 1999, currency: 'EUR', nested: { list: [1, 'two', null] }, quote: 'a"b\\c' });
        await store.appendToStream(name, [event], { expectedRevision: 'no_stream' });
        const [read] = await store.readStream(name);
        expect(read).toMatchObject({ eventId: event.eventId, type: 'PlanPriced', data: event.data, metadata: event.metadata, streamName: name, revision: 0n });
        expect(read!.recordedAt).toBeInstanceOf(Date);
        expect(read!.metadata.occurredAt).toBe(FIXED_NOW);
      });

      if (capabilities.globallyUniqueEventIds) it('writes nothing of a batch that fails part-way', async () => {
        const taken = anEvent();
        await store.appendToStream(stream(), [taken], { expectedRevision: 'no_stream' });
        const name = stream();
        const error = await store
          .appendToStream(name, [anEvent(), anEvent(), { ...anEvent(), eventId: taken.eventId }], { expectedRevision: 'any' })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DuplicateEventIdError);
        await expect(store.readStream(name)).rejects.toBeInstanceOf(StreamNotFoundError);
      });
    });

    describe('idempotent retry', () => {
      it('answers a retried append with the first result and writes nothing twice', async () => {
        const name = stream();
        const batch = events(2);
        const first = await store.appendToStream(name, batch, { expectedRevision: 'no_stream' });
        const again = await store.appendToStream(name, batch, { expectedRevision: 'no_stream' });
        expect(again).toEqual(first);
        await store.appendToStream(name, [anEvent()], { expectedRevision: 1n });
        expect(await store.appendToStream(name, batch, { expectedRevision: 'any' })).toEqual(first);
        expect(await store.readStream(name)).toHaveLength(3);
      });

      if (capabilities.globallyUniqueEventIds) it('refuses a batch that reuses some ids of an earlier write', async () => {
        const name = stream();
        const batch = events(2);
        await store.appendToStream(name, batch, { expectedRevision: 'no_stream' });
        await expect(
          store.appendToStream(name, [batch[0]!, anEvent()], { expectedRevision: 'any' }),
        ).rejects.toBeInstanceOf(DuplicateEventIdError);
        await expect(
          store.appendToStream(stream(), batch, { expectedRevision: 'any' }),
        ).rejects.toBeInstanceOf(DuplicateEventIdError);
        expect(await store.readStream(name)).toHaveLength(2);
      });
    });

    describe('reading a stream', () => {
      it('throws StreamNotFoundError for a stream with no events', async () => {
        await expect(store.readStream(stream())).rejects.toBeInstanceOf(StreamNotFoundError);
      });

      it('pages forwards and backwards from a revision', async () => {
        const name = stream();
        await store.appendToStream(name, events(10), { expectedRevision: 'no_stream' });
        const revs = async (opts: Parameters<EventStore['readStream']>[1]) =>
          (await store.readStream(name, opts)).map((e) => Number(e.revision));
        expect(await revs({})).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(await revs({ fromRevision: 3n, maxCount: 4 })).toEqual([3, 4, 5, 6]);
        expect(await revs({ direction: 'backwards', maxCount: 3 })).toEqual([9, 8, 7]);
        expect(await revs({ direction: 'backwards', fromRevision: 5n, maxCount: 3 })).toEqual([5, 4, 3]);
        expect(await revs({ fromRevision: 20n })).toEqual([]);
      });
    });

    describe('reading all', () => {
      it('returns events in global order, paged from an exclusive position, filtered by prefix and type', async () => {
        const prefix = uniquePrefix('readall');
        for (let i = 0; i < 5; i++) {
          await store.appendToStream(`${prefix}${i}`, [anEvent('A'), anEvent('B')], { expectedRevision: 'no_stream' });
        }
        const all = await store.readAll({ filter: { streamPrefixes: [prefix] }, maxCount: 100 });
        expect(all).toHaveLength(10);
        for (let i = 1; i < all.length; i++) {
          expect(comparePositions(all[i - 1]!.position, all[i]!.position)).toBeLessThan(0);
        }
        const paged = [];
        let from;
        for (;;) {
          const page = await store.readAll({ filter: { streamPrefixes: [prefix] }, maxCount: 3, ...(from && { fromPosition: from }) });
          if (page.length === 0) break;
          paged.push(...page);
          from = page[page.length - 1]!.position;
        }
        expect(paged.map((e) => e.eventId)).toEqual(all.map((e) => e.eventId));
        const onlyB = await store.readAll({ filter: { streamPrefixes: [prefix], eventTypes: ['B'] } });
        expect(onlyB.map((e) => e.eventId)).toEqual(all.filter((e) => e.type === 'B').map((e) => e.eventId));
      });

      it('treats LIKE wildcards in a prefix literally', async () => {
        const prefix = uniquePrefix('wild_%');
        await store.appendToStream(`${prefix}x`, [anEvent()], { expectedRevision: 'no_stream' });
        await store.appendToStream(`${prefix.replace('_%', 'ab')}x`, [anEvent()], { expectedRevision: 'no_stream' });
        expect(await store.readAll({ filter: { streamPrefixes: [prefix] } })).toHaveLength(1);
      });
    });

    describe('subscribing to all', () => {
      it('delivers history, signals caught-up, then delivers live events, after an exclusive position', async () => {
        const prefix = uniquePrefix('sub');
        await store.appendToStream(`${prefix}a`, events(3), { expectedRevision: 'no_stream' });
        const history = await store.readAll({ filter: { streamPrefixes: [prefix] } });
        const sub = collect(store, { filter: { streamPrefixes: [prefix] }, fromPosition: history[0]!.position });
        await expect.poll(sub.caughtUpCount, DELIVERY).toBeGreaterThan(0);
        expect(sub.received.map((e) => e.revision)).toEqual([1n, 2n]);
        await store.appendToStream(`${prefix}a`, events(2), { expectedRevision: 2n });
        await expect.poll(() => sub.received.length, DELIVERY).toBe(4);
        expect(sub.received.map((e) => e.revision)).toEqual([1n, 2n, 3n, 4n]);
        await sub.close();
      });

      it('passes events of other streams and types through the filter untouched', async () => {
        const prefix = uniquePrefix('filt');
        const sub = collect(store, { filter: { streamPrefixes: [prefix], eventTypes: ['Wanted'] } });
        await store.appendToStream(`other-${randomUUID()}`, [anEvent('Wanted')], { expectedRevision: 'no_stream' });
        await store.appendToStream(`${prefix}1`, [anEvent('Unwanted'), anEvent('Wanted')], { expectedRevision: 'no_stream' });
        await expect.poll(() => sub.received.length, DELIVERY).toBe(1);
        await store.appendToStream(`${prefix}2`, [anEvent('Wanted')], { expectedRevision: 'no_stream' });
        await expect.poll(() => sub.received.length, DELIVERY).toBe(2);
        expect(sub.received.map((e) => [e.streamName, e.type])).toEqual([
          [`${prefix}1`, 'Wanted'],
          [`${prefix}2`, 'Wanted'],
        ]);
        await sub.close();
      });
    });

    if (capabilities.transactions) describe('transactions that end late', () => {
      it('delivers an event whose transaction commits after a later one, exactly once', async () => {
        const openAppend = fixture.openAppend!;
        const prefix = uniquePrefix('late');
        const sub = collect(store, { filter: { streamPrefixes: [prefix] } });
        await expect.poll(sub.caughtUpCount, DELIVERY).toBeGreaterThan(0);
        const slow = await openAppend(`${prefix}slow`, [anEvent('Slow')]);
        await store.appendToStream(`${prefix}fast`, [anEvent('Fast')], { expectedRevision: 'no_stream' });
        const rolledBack = await openAppend(`${prefix}gone`, [anEvent('Gone')]);
        // The subscriber reads again while 'Fast' is held back behind the open transactions.
        const readsBefore = sub.caughtUpCount();
        await expect.poll(sub.caughtUpCount, DELIVERY).toBeGreaterThan(readsBefore);
        await slow.commit();
        await rolledBack.rollback();
        await store.appendToStream(`${prefix}after`, [anEvent('After')], { expectedRevision: 'no_stream' });
        // 'After' comes last in position order: anything repeated or rolled back would be delivered before it.
        await expect.poll(() => sub.received.map((e) => e.type), DELIVERY).toContain('After');
        expect(sub.received.map((e) => e.type)).toEqual(['Slow', 'Fast', 'After']);
        const all = await store.readAll({ filter: { streamPrefixes: [prefix] } });
        expect(all.map((e) => e.eventId)).toEqual(sub.received.map((e) => e.eventId));
        await sub.close();
      });
    });

    raceScenario(() => fixture, capabilities.transactions);
  });
