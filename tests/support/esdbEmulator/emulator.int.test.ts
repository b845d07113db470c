import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  streamNameFilter,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEsdbEmulator, type EsdbEmulator } from './index.js';

let emulator: EsdbEmulator;
let client: EventStoreDBClient;

beforeEach(async () => {
  emulator = await startEsdbEmulator();
  client = EventStoreDBClient.connectionString(emulator.url);
});

afterEach(async () => {
  await client.dispose();
  await emulator.close();
});

const event = (type: string, data: Record<string, unknown> = {}) => jsonEvent({ type, data });

const collect = async <T>(source: AsyncIterable<T>): Promise<T[]> => {
  const items: T[] = [];
  for await (const item of source) items.push(item);
  return items;
};

const readAll = async (options: Parameters<EventStoreDBClient['readAll']>[0] = {}) =>
  (await collect(client.readAll(options))).map((e) => e.event!);

/** Records events and the caught-up marker in the order the subscription emits them. */
const record = (subscription: AllStreamSubscription) => {
  const seen: (string | { streamId: string; type: string; position: Position | undefined })[] = [];
  const caughtUp = new Promise<void>((resolve) => subscription.once('caughtUp', () => resolve()));
  subscription.on('caughtUp', () => seen.push('caughtUp'));
  subscription.on('data', ({ event: e }: AllStreamResolvedEvent) =>
    seen.push({ streamId: e!.streamId, type: e!.type, position: e!.position }),
  );
  const until = async (count: number) => {
    await expect.poll(() => seen.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(count);
    return seen;
  };
  return { seen, caughtUp, until };
};

describe('esdb emulator, through @eventstore/db-client', () => {
  it('appends and reads a stream back, forwards and backwards', async () => {
    const before = Date.now();
    const result = await client.appendToStream(
      'order-1',
      [event('Placed', { total: 10 }), jsonEvent({ type: 'Paid', data: { amount: 10 }, metadata: { by: 'card' } })],
      { expectedRevision: NO_STREAM },
    );
    expect(result.success).toBe(true);
    expect(result.nextExpectedRevision).toBe(1n);

    const forwards = (await collect(client.readStream('order-1', { direction: FORWARDS, fromRevision: START }))).map((e) => e.event!);
    expect(forwards.map((e) => [e.revision, e.type, e.data, e.metadata])).toEqual([
      [0n, 'Placed', { total: 10 }, undefined],
      [1n, 'Paid', { amount: 10 }, { by: 'card' }],
    ]);
    expect(forwards[1]!.position).toEqual(result.position);
    expect(forwards[0]!.position!.commit).toBeLessThan(forwards[1]!.position!.commit);
    expect(forwards[0]!.created.getTime()).toBeGreaterThanOrEqual(before);
    expect(forwards[0]!.created.getTime()).toBeLessThanOrEqual(Date.now());

    const backwards = await collect(client.readStream('order-1', { direction: BACKWARDS, fromRevision: END, maxCount: 1 }));
    expect(backwards.map((e) => e.event!.type)).toEqual(['Paid']);
    const fromRevision = await collect(client.readStream('order-1', { fromRevision: 1n }));
    expect(fromRevision.map((e) => e.event!.revision)).toEqual([1n]);
  });

  it('rejects wrong expected revisions with the actual version', async () => {
    await client.appendToStream('order-2', [event('Placed'), event('Paid')], { expectedRevision: NO_STREAM });

    const noStream = await client
      .appendToStream('order-2', event('Placed'), { expectedRevision: NO_STREAM })
      .catch((e: unknown) => e);
    expect(noStream).toBeInstanceOf(WrongExpectedVersionError);
    expect(noStream).toMatchObject({ streamName: 'order-2', actualVersion: 1n, expectedVersion: 'no_stream' });

    const stale = await client.appendToStream('order-2', event('Shipped'), { expectedRevision: 0n }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(WrongExpectedVersionError);
    expect(stale).toMatchObject({ actualVersion: 1n, expectedVersion: 0n });

    const missing = await client.appendToStream('order-9', event('Paid'), { expectedRevision: STREAM_EXISTS }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ actualVersion: 'no_stream', expectedVersion: 'stream_exists' });

    await expect(client.appendToStream('order-2', event('Shipped'), { expectedRevision: 1n })).resolves.toMatchObject({
      nextExpectedRevision: 2n,
    });
  });

  it('throws StreamNotFoundError when reading a stream that does not exist', async () => {
    await expect(collect(client.readStream('nowhere'))).rejects.toBeInstanceOf(StreamNotFoundError);
  });

  it('reads $all forwards (from inclusive) and backwards (from exclusive), in pages', async () => {
    await client.appendToStream('a-1', [event('A1'), event('A2')]);
    await client.appendToStream('b-1', [event('B1'), event('B2'), event('B3')]);

    const all = await readAll();
    expect(all.map((e) => e.type)).toEqual(['A1', 'A2', 'B1', 'B2', 'B3']);
    const positions = all.map((e) => e.position!.commit);
    expect([...positions].sort((x, y) => (x < y ? -1 : 1))).toEqual(positions);

    const firstPage = await readAll({ maxCount: 2 });
    const nextPage = await readAll({ fromPosition: firstPage[1]!.position!, maxCount: 3 });
    expect(nextPage.map((e) => e.type)).toEqual(['A2', 'B1', 'B2']);

    const lastPage = await readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 2 });
    expect(lastPage.map((e) => e.type)).toEqual(['B3', 'B2']);
    const previousPage = await readAll({ direction: BACKWARDS, fromPosition: lastPage[1]!.position!, maxCount: 2 });
    expect(previousPage.map((e) => e.type)).toEqual(['B1', 'A2']);

    expect(await readAll({ fromPosition: END })).toEqual([]);
    expect(await readAll({ direction: BACKWARDS, fromPosition: START })).toEqual([]);
  });

  it('subscribes to $all from START with a prefix filter: history, caught-up, then live events', async () => {
    await client.appendToStream('order-1', [event('Placed')]);
    await client.appendToStream('noise-1', [event('Noise')]);
    await client.appendToStream('order-2', [event('Placed')]);

    const subscription = client.subscribeToAll({ fromPosition: START, filter: streamNameFilter({ prefixes: ['order-'] }) });
    const { seen, caughtUp, until } = record(subscription);
    await caughtUp;
    await client.appendToStream('noise-2', [event('Noise')]);
    await client.appendToStream('order-3', [event('Placed')]);
    await until(4);
    await subscription.unsubscribe();

    expect(seen.map((s) => (typeof s === 'string' ? s : s.streamId))).toEqual(['order-1', 'order-2', 'caughtUp', 'order-3']);
  });

  it('sends checkpoints every 32 considered events, past filtered-out ones', async () => {
    await client.appendToStream('noise', Array.from({ length: 40 }, (_, i) => event(`Noise${i}`)));
    const thirtySecond = (await readAll())[31]!.position!;
    const checkpoints: Position[] = [];
    const subscription = client.subscribeToAll({
      filter: streamNameFilter({ prefixes: ['order-'], checkpointReached: (_s, position) => void checkpoints.push(position) }),
    });
    await record(subscription).caughtUp;
    await subscription.unsubscribe();
    expect(checkpoints).toEqual([thirtySecond]);
  });

  it('filters out system-like event types with excludeSystemEvents()', async () => {
    await client.appendToStream('order-1', [event('$internal'), event('Placed')]);
    const subscription = client.subscribeToAll({ filter: excludeSystemEvents() });
    const { seen, caughtUp } = record(subscription);
    await caughtUp;
    await subscription.unsubscribe();
    expect(seen.map((s) => (typeof s === 'string' ? s : s.type))).toEqual(['Placed', 'caughtUp']);
  });

  it('subscribes to $all from a position exclusively', async () => {
    await client.appendToStream('order-1', [event('E1'), event('E2'), event('E3')]);
    const [, second] = await readAll();
    const subscription = client.subscribeToAll({ fromPosition: second!.position! });
    const { seen, caughtUp } = record(subscription);
    await caughtUp;
    await subscription.unsubscribe();
    expect(seen.map((s) => (typeof s === 'string' ? s : s.type))).toEqual(['E3', 'caughtUp']);
  });

  it('subscribes to a stream from a revision exclusively', async () => {
    await client.appendToStream('order-1', [event('E1'), event('E2'), event('E3')]);
    const subscription = client.subscribeToStream('order-1', { fromRevision: 0n });
    const types: string[] = [];
    subscription.on('data', (e: ResolvedEvent) => types.push(e.event!.type));
    await new Promise((resolve) => subscription.once('caughtUp', resolve));
    await client.appendToStream('order-1', [event('E4')]);
    await expect.poll(() => types).toEqual(['E2', 'E3', 'E4']);
    await subscription.unsubscribe();
  });

  it('treats a re-append of the same event ids at the same place as idempotent', async () => {
    const batch = [event('Placed'), event('Paid')];
    const first = await client.appendToStream('order-1', batch, { expectedRevision: NO_STREAM });
    await client.appendToStream('order-1', event('Shipped'), { expectedRevision: 1n });

    await expect(client.appendToStream('order-1', batch, { expectedRevision: NO_STREAM })).resolves.toEqual(first);
    await expect(client.appendToStream('order-1', batch, { expectedRevision: ANY })).resolves.toEqual(first);
    await expect(client.appendToStream('order-1', [batch[1]!, event('Other')], { expectedRevision: 0n })).rejects.toBeInstanceOf(
      WrongExpectedVersionError,
    );

    const stream = await collect(client.readStream('order-1'));
    expect(stream.map((e) => e.event!.type)).toEqual(['Placed', 'Paid', 'Shipped']);
  });

  it('dropConnections() ends an open subscription with an error; the next call works', async () => {
    await client.appendToStream('order-1', [event('Placed')]);
    const subscription = client.subscribeToAll();
    const failed = new Promise<unknown>((resolve) => subscription.once('error', resolve));
    await record(subscription).caughtUp;

    emulator.dropConnections();
    expect(await failed).toMatchObject({ type: 'unavailable' });

    await client.appendToStream('order-1', [event('Paid')], { expectedRevision: 0n });
    const stream = await collect(client.readStream('order-1'));
    expect(stream.map((e) => e.event!.type)).toEqual(['Placed', 'Paid']);
  });
});
