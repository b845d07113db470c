import { describe, expect, it } from 'vitest';
import { matchesLocally, toServerFilter } from '../../src/eventstore/esdb/mapping.js';
import type { RecordedEvent } from '../../src/eventstore/index.js';

const event = (streamName: string, type: string): RecordedEvent => ({
  eventId: '0193c1a0-0000-7000-8000-000000000000',
  type,
  data: {},
  metadata: { correlationId: 'c', actor: { id: 'u' }, source: 'api', occurredAt: '2026-01-15T10:00:00.000Z', schemaVersion: 1 },
  streamName,
  revision: 0n,
  position: { commit: 1n, prepare: 1n },
  recordedAt: new Date('2026-01-15T10:00:00.000Z'),
});

describe('EventStoreDB filters', () => {
  it('drop system events and apply what the server could not', () => {
    expect(matchesLocally(event('$stats-127.0.0.1:2113', 'stats'), undefined)).toBe(false);
    expect(matchesLocally(event('user-usr_1', '$metadata'), undefined)).toBe(false);
    expect(matchesLocally(event('user-usr_1', 'UserRegistered'), undefined)).toBe(true);
    const filter = { streamPrefixes: ['user-'], eventTypes: ['UserRegistered'] };
    expect(matchesLocally(event('user-usr_1', 'UserRegistered'), filter)).toBe(true);
    expect(matchesLocally(event('user-usr_1', 'UserDeactivated'), filter)).toBe(false);
    expect(matchesLocally(event('customer-cus_1', 'UserRegistered'), filter)).toBe(false);
  });

  it('ask the server for stream prefixes first, then exact event types, else no system events', () => {
    const noop = () => undefined;
    expect(toServerFilter({ streamPrefixes: ['user-'], eventTypes: ['A'] }, noop, 1)).toMatchObject({
      filterOn: 'streamName',
      prefixes: ['user-'],
    });
    const byType = toServerFilter({ eventTypes: ['Plan.Priced', 'A'] }, noop, 1);
    expect(byType).toMatchObject({ filterOn: 'eventType', regex: '^(Plan\\.Priced|A)$' });
    expect(new RegExp((byType as { regex: string }).regex).test('PlanXPriced')).toBe(false);
    expect(toServerFilter(undefined, noop, 1)).toMatchObject({ filterOn: 'eventType', regex: '^[^$].*' });
  });
});
