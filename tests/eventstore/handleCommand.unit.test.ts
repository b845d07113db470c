import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../src/domain/shared/index.js';
import { eventIdsFor } from '../../src/eventstore/core/eventIds.js';
import {
  createMemoryEventStore,
  ExpectedRevisionMismatchError,
  handleCommand,
  WrongExpectedRevisionError,
  type CommandContext,
  type EventStore,
} from '../../src/eventstore/index.js';
import { counterDecider, type CounterCommand } from '../support/counter.js';
import { deciderSpec } from '../support/deciderSpec.js';

const NOW = '2026-03-01T09:00:00.000Z';
const context: CommandContext = {
  correlationId: 'corr-1',
  actor: { id: 'usr_1', role: 'ADMIN' },
  source: 'api',
  occurredAt: new Date(NOW),
};
const open: CounterCommand = { type: 'OpenCounter', data: { counterId: 'c1', now: NOW } };
const inc = (by: number): CounterCommand => ({ type: 'Increment', data: { by, now: NOW } });
const close: CounterCommand = { type: 'CloseCounter', data: { now: NOW } };

describe('decider spec helper', () => {
  const spec = deciderSpec(counterDecider);
  it('checks decided events', () =>
    spec.given([{ type: 'CounterOpened', data: { counterId: 'c1', openedAt: NOW } }])
      .when(inc(2))
      .then([{ type: 'Incremented', data: { by: 2 } }]));
  it('checks a thrown domain error and its reason', () =>
    spec.given([]).when(inc(1)).then({ error: ConflictError, reason: 'counter.not_open' }));
  it('fails when the decider does not throw what was expected', () => {
    expect(() => spec.given([]).when(open).then({ error: ConflictError })).toThrow();
    expect(() => spec.given([]).when(open).then([])).toThrow();
  });
});

describe('handleCommand', () => {
  const stream = 'counter-c1';

  it('reads, decides and appends with the revision it read, recording the metadata', async () => {
    const store = createMemoryEventStore();
    const first = await handleCommand(store, stream, counterDecider, open, { ...context, commandId: 'cmd-1' });
    expect(first.nextExpectedRevision).toBe(0n);
    const second = await handleCommand(store, stream, counterDecider, inc(5), context);
    expect(second.newState).toEqual({ status: 'open', value: 5 });
    expect(second.nextExpectedRevision).toBe(1n);
    const [opened] = await store.readStream(stream);
    expect(opened!.metadata).toEqual({
      correlationId: 'corr-1',
      commandId: 'cmd-1',
      actor: { id: 'usr_1', role: 'ADMIN' },
      source: 'api',
      occurredAt: NOW,
      schemaVersion: 1,
    });
  });

  it('writes nothing when the decision is no events, and reports the current state', async () => {
    const store = createMemoryEventStore();
    await handleCommand(store, stream, counterDecider, open, context);
    await handleCommand(store, stream, counterDecider, close, context);
    const head = await store.headPosition();
    const again = await handleCommand(store, stream, counterDecider, close, context);
    expect(again).toEqual({ newEvents: [], newState: { status: 'closed', value: 0 }, nextExpectedRevision: 1n, position: undefined });
    expect(await store.headPosition()).toEqual(head);
  });

  it('passes domain errors through and appends nothing', async () => {
    const store = createMemoryEventStore();
    await handleCommand(store, stream, counterDecider, open, context);
    await expect(handleCommand(store, stream, counterDecider, inc(-1), context)).rejects.toBeInstanceOf(ValidationError);
    expect(await store.readStream(stream)).toHaveLength(1);
  });

  /** A store whose next `n` appends lose a race: someone else appends first. */
  const racingStore = (inner: EventStore, losses: number): EventStore => {
    let remaining = losses;
    return {
      ...inner,
      async appendToStream(name, events, options) {
        if (remaining-- > 0) {
          await handleCommand(inner, name, counterDecider, inc(100), context);
        }
        return inner.appendToStream(name, events, options);
      },
    };
  };

  it('decides again on fresh state after a revision conflict', async () => {
    const inner = createMemoryEventStore();
    await handleCommand(inner, stream, counterDecider, open, context);
    const result = await handleCommand(racingStore(inner, 2), stream, counterDecider, inc(1), context);
    expect(result.newState).toEqual({ status: 'open', value: 201 });
    expect(result.nextExpectedRevision).toBe(3n);
  });

  it('gives up after the bounded number of retries', async () => {
    const inner = createMemoryEventStore();
    await handleCommand(inner, stream, counterDecider, open, context);
    await expect(
      handleCommand(racingStore(inner, 3), stream, counterDecider, inc(1), context, { maxRetries: 2 }),
    ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
  });

  it('surfaces a stale If-Match as a store-level mismatch, without retrying', async () => {
    const store = createMemoryEventStore();
    await handleCommand(store, stream, counterDecider, open, context);
    await handleCommand(store, stream, counterDecider, inc(1), context);
    const stale = await handleCommand(store, stream, counterDecider, inc(1), { ...context, expectedRevision: 0n }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ExpectedRevisionMismatchError);
    expect(stale).toMatchObject({ reason: 'stream.precondition_failed', details: { expectedRevision: '0', currentRevision: '1' } });
    const ok = await handleCommand(store, stream, counterDecider, inc(1), { ...context, expectedRevision: 1n });
    expect(ok.nextExpectedRevision).toBe(2n);
    await expect(
      handleCommand(racingStore(store, 1), stream, counterDecider, inc(1), { ...context, expectedRevision: 2n }),
    ).rejects.toBeInstanceOf(ExpectedRevisionMismatchError);
  });

  it('derives the first event id of a command from its id alone, whatever the number of events', () => {
    // handleCommand finds a command's earlier write by that first id, before it knows how many events it had.
    expect(eventIdsFor('cmd-1', 1)[0]).toBe(eventIdsFor('cmd-1', 3)[0]);
    expect(eventIdsFor('cmd-1', 3)).toEqual([...new Set(eventIdsFor('cmd-1', 3))]);
    expect(eventIdsFor('cmd-2', 1)[0]).not.toBe(eventIdsFor('cmd-1', 1)[0]);
  });
});
