import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresEventStore,
  eventsToAppend,
  handleCommand,
  WrongExpectedRevisionError,
  type BatchWrites,
  type EventToAppend,
  type PostgresEventStore,
  type StoreTransaction,
} from '../../src/eventstore/index.js';
import { counterDecider } from '../support/counter.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { anEvent, collect, DELIVERY, events, uniquePrefix } from './conformanceSupport.js';

const NOW = '2026-03-01T09:00:00.000Z';

let database: TestDatabase;
let store: PostgresEventStore;
let batch: BatchWrites;

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 20 });
  store = createPostgresEventStore({ pool: database.pool, connectionString: database.url, pollIntervalMs: 200 });
  await store.start();
  batch = store.batch!;
  // A statement of the caller's own, to see it commit (or not) with the appends.
  await database.pool.query('create table scratch (label text primary key)');
});
afterAll(async () => {
  await store?.close();
  await database?.close();
});

const typesOf = async (streamName: string) => (await batch.readStreams([streamName])).get(streamName)!.map((e) => e.type);
const scratch = async (label: string) => (await database.pool.query('select 1 from scratch where label = $1', [label])).rowCount;
const note = (tx: StoreTransaction, label: string) => tx.query('insert into scratch (label) values ($1)', [label]);
const typed = (n: number, prefix: string): EventToAppend[] => events(n).map((e, i) => ({ ...e, type: `${prefix}${i}` }));
/** Every event the store holds: nothing of a failed transaction may show up anywhere. */
const total = async () => Number((await database.pool.query('select count(*)::int as n from es.events')).rows[0].n);

describe('readStreams', () => {
  it('reads several streams in one call, each in revision order; a missing one is empty; a name given twice is fine', async () => {
    const p = uniquePrefix('read');
    await store.appendToStream(`${p}a`, typed(3, 'A'), { expectedRevision: 'no_stream' });
    await store.appendToStream(`${p}b`, typed(1, 'B'), { expectedRevision: 'no_stream' });
    await store.appendToStream(`${p}a`, typed(2, 'A+'), { expectedRevision: 2n });

    const read = await batch.readStreams([`${p}b`, `${p}missing`, `${p}a`, `${p}b`]);
    expect([...read.keys()].sort()).toEqual([`${p}a`, `${p}b`, `${p}missing`]);
    expect(read.get(`${p}a`)!.map((e) => [e.revision, e.type])).toEqual([[0n, 'A0'], [1n, 'A1'], [2n, 'A2'], [3n, 'A+0'], [4n, 'A+1']]);
    expect(read.get(`${p}b`)!.map((e) => e.type)).toEqual(['B0']);
    expect(read.get(`${p}missing`)).toEqual([]);
    expect((await batch.readStreams([])).size).toBe(0);
  });
});

describe('a transaction', () => {
  /** Three streams: one new, one at revision 1, one at revision 0. */
  const threeStreams = async () => {
    const p = uniquePrefix('tx');
    await store.appendToStream(`${p}old`, events(2), { expectedRevision: 'no_stream' });
    await store.appendToStream(`${p}other`, events(1), { expectedRevision: 'no_stream' });
    return { fresh: `${p}fresh`, old: `${p}old`, other: `${p}other`, label: p };
  };

  it('commits appends to three streams and its own statement together', async () => {
    const s = await threeStreams();
    const answer = await batch.transaction(async (tx) => {
      await note(tx, s.label);
      await tx.append([
        { streamName: s.fresh, events: typed(2, 'F'), expectedRevision: 'no_stream' },
        { streamName: s.old, events: typed(1, 'O'), expectedRevision: 1n },
        { streamName: s.other, events: typed(1, 'X'), expectedRevision: 0n },
      ]);
      return 'done';
    });
    expect(answer).toBe('done');
    expect(await typesOf(s.fresh)).toEqual(['F0', 'F1']);
    expect((await batch.readStreams([s.old])).get(s.old)!.map((e) => [e.revision, e.type])).toEqual([
      [0n, 'SomethingHappened'],
      [1n, 'SomethingHappened'],
      [2n, 'O0'],
    ]);
    expect(await typesOf(s.other)).toEqual(['SomethingHappened', 'X0']);
    expect(await scratch(s.label)).toBe(1);
  });

  it.each([
    ['stale', 0n, 1n],
    ['ahead', 5n, 1n],
    ['no_stream on a stream that exists', 'no_stream' as const, 1n],
  ])('writes nothing at all when one expected revision is %s, and names that stream', async (_label, wrong, actual) => {
    const s = await threeStreams();
    const before = await total();
    const failed = batch.transaction(async (tx) => {
      await note(tx, s.label);
      await tx.append([
        { streamName: s.fresh, events: events(2), expectedRevision: 'no_stream' },
        { streamName: s.old, events: events(1), expectedRevision: wrong },
        { streamName: s.other, events: events(1), expectedRevision: 0n },
      ]);
    });
    await expect(failed).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    await expect(failed).rejects.toMatchObject({ streamName: s.old, expected: wrong, actual });
    expect(await total()).toBe(before);
    expect(await scratch(s.label)).toBe(0);
  });

  it('writes nothing when its work throws after appending', async () => {
    const s = await threeStreams();
    const before = await total();
    const failed = batch.transaction(async (tx) => {
      await note(tx, s.label);
      await tx.append([{ streamName: s.fresh, events: events(1), expectedRevision: 'no_stream' }]);
      throw new Error('changed its mind');
    });
    await expect(failed).rejects.toThrow('changed its mind');
    expect(await total()).toBe(before);
    expect(await scratch(s.label)).toBe(0);
    // The connection went back to the pool clean: the next transaction works.
    await batch.transaction((tx) => tx.append([{ streamName: s.fresh, events: events(1), expectedRevision: 'no_stream' }]));
    expect(await typesOf(s.fresh)).toEqual(['SomethingHappened']);
  });

  it('lets one of two concurrent writers of revision 0 commit; the other gets WrongExpectedRevisionError and writes nothing', async () => {
    const p = uniquePrefix('race');
    const contested = `${p}contested`;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // Distinct event ids: the conflict is the revision, not an id.
    const first = batch.transaction(async (tx) => {
      await tx.append([{ streamName: contested, events: typed(1, 'First'), expectedRevision: 'no_stream' }]);
      await held;
    });
    // The first has inserted revision 0 (uncommitted) once its append answered; wait for that before starting the second.
    await expect.poll(async () => (await database.pool.query("select count(*)::int as n from pg_stat_activity where state = 'idle in transaction' and datname = current_database()")).rows[0].n, DELIVERY).toBe(1);
    const second = batch.transaction(async (tx) => {
      await note(tx, p);
      await tx.append([
        { streamName: `${p}bystander`, events: events(1), expectedRevision: 'no_stream' },
        { streamName: contested, events: typed(1, 'Second'), expectedRevision: 'no_stream' },
      ]);
    });
    // The barrier: the second's insert is waiting on the first's uncommitted revision 0.
    await expect.poll(async () => (await database.pool.query("select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()")).rows[0].n, DELIVERY).toBe(1);
    release();
    await first;
    await expect(second).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    await expect(second).rejects.toMatchObject({ streamName: contested, expected: 'no_stream' });
    expect(await typesOf(contested)).toEqual(['First0']);
    expect(await typesOf(`${p}bystander`)).toEqual([]);
    expect(await scratch(p)).toBe(0);
  });
});

describe('what a transaction wrote, afterwards', () => {
  it('reaches a subscriber in the order given under one transaction id, and a retried command is answered from it', async () => {
    const p = uniquePrefix('seen');
    const sub = collect(store, { filter: { streamPrefixes: [p] } });
    const context = { correlationId: 'c', actor: { id: 'usr_1' }, source: 'api', occurredAt: new Date(NOW), commandId: `open:${p}` };
    const open = { type: 'OpenCounter' as const, data: { counterId: p, now: NOW } };
    const opened = eventsToAppend(counterDecider.decide(open, counterDecider.initialState()), context);
    const given = [`${p}b`, `${p}counter`, `${p}a`];
    await batch.transaction((tx) =>
      tx.append([
        { streamName: given[0]!, events: [anEvent('B0'), anEvent('B1')], expectedRevision: 'no_stream' },
        { streamName: given[1]!, events: opened, expectedRevision: 'no_stream' },
        { streamName: given[2]!, events: [anEvent('A0')], expectedRevision: 'no_stream' },
      ]),
    );
    await expect.poll(() => sub.received.length, DELIVERY).toBe(4);
    await sub.close();
    expect(sub.received.map((e) => [e.streamName, e.type])).toEqual([
      [given[0], 'B0'],
      [given[0], 'B1'],
      [given[1], 'CounterOpened'],
      [given[2], 'A0'],
    ]);
    expect(new Set(sub.received.map((e) => e.position.commit)).size).toBe(1);
    const prepares = sub.received.map((e) => e.position.prepare);
    expect([...prepares].sort((a, b) => (a < b ? -1 : 1))).toEqual(prepares);

    const retried = await handleCommand(store, given[1]!, counterDecider, open, context);
    expect(retried.newEvents).toEqual([{ type: 'CounterOpened', data: { counterId: p, openedAt: NOW } }]);
    expect(retried.position).toEqual(sub.received[2]!.position);
    expect(await typesOf(given[1]!)).toEqual(['CounterOpened']);
  });
});
