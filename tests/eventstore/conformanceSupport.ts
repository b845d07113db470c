import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { EventStore, EventToAppend, RecordedEvent, Subscription, SubscribeOptions } from '../../src/eventstore/index.js';

/** An append inside a transaction the test decides when to end. */
export type OpenAppend = Readonly<{ commit: () => Promise<void>; rollback: () => Promise<void> }>;

export type ConformanceFixture = Readonly<{
  store: EventStore;
  /**
   * Adapters whose appends are database transactions expose them here, so the
   * suite can hold one open or roll it back. Stores without transactions omit it
   * and the suite runs without the tests that need it.
   */
  openAppend?: (streamName: string, events: readonly EventToAppend[]) => Promise<OpenAppend>;
  close: () => Promise<void>;
}>;

/** The PostgreSQL store's own append function, run in a transaction the test ends. */
export const postgresOpenAppend =
  (pool: pg.Pool) =>
  async (streamName: string, appended: readonly EventToAppend[]): Promise<OpenAppend> => {
    const client = await pool.connect();
    await client.query('begin');
    await client.query('select * from es.append_to_stream($1, $2, $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[])', [
      streamName,
      'any',
      appended.map((e) => e.eventId),
      appended.map((e) => e.type),
      appended.map((e) => JSON.stringify(e.data)),
      appended.map((e) => JSON.stringify(e.metadata)),
    ]);
    const end = (text: string) => async () => {
      try {
        await client.query(text);
      } finally {
        client.release();
      }
    };
    return { commit: end('commit'), rollback: end('rollback') };
  };

export const FIXED_NOW = '2026-01-15T10:00:00.000Z';

export const anEvent = (type = 'SomethingHappened', data: Record<string, unknown> = {}): EventToAppend => ({
  eventId: randomUUID(),
  type,
  data,
  metadata: {
    correlationId: randomUUID(),
    causationId: randomUUID(),
    commandId: randomUUID(),
    actor: { id: 'usr_test', role: 'ADMIN' },
    source: 'api',
    occurredAt: FIXED_NOW,
    schemaVersion: 1,
  },
});

export const events = (n: number, type?: string): EventToAppend[] =>
  Array.from({ length: n }, (_, i) => anEvent(type, { i }));

export const uniquePrefix = (label: string): string => `${label}${randomUUID().slice(0, 8)}-`;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Options for `expect.poll` on deliveries: generous, since a loaded machine is slow, never a measure of speed. */
export const DELIVERY = { timeout: 20_000, interval: 10 } as const;

/** Collects a subscription's events in the background. */
export const collect = (store: EventStore, options: SubscribeOptions) => {
  const received: RecordedEvent[] = [];
  let caughtUp = 0;
  const subscription: Subscription = store.subscribeToAll(options);
  const done = (async () => {
    for await (const message of subscription) {
      if (message.kind === 'event') received.push(message.event);
      else caughtUp++;
    }
  })();
  return {
    received,
    caughtUpCount: () => caughtUp,
    async close(): Promise<void> {
      await subscription.close();
      await done;
    },
  };
};

/** Deterministic pseudo-random numbers so a failing race can be replayed. */
export const seededRandom = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
