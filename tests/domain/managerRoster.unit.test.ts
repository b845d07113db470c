import { describe, expect, it } from 'vitest';
import {
  managerRosterDecider,
  rosterMembers,
  type ManagerRosterCommand,
  type ManagerRosterEvent,
} from '../../src/domain/user/managerRoster.js';
import { ConflictError } from '../../src/domain/shared/index.js';
import { deciderSpec } from '../support/deciderSpec.js';

const NOW = '2026-02-01T08:00:00.000Z';
const spec = deciderSpec(managerRosterDecider);

const synced = (userId: string, member: boolean, asOf: number, provisional = false): ManagerRosterEvent => ({
  type: 'ManagerSynced',
  data: { userId, member, asOf: String(asOf), provisional, syncedAt: NOW },
});
const sync = (userId: string, member: boolean, asOf: number): ManagerRosterCommand => ({
  type: 'SyncManager',
  data: { userId, member, asOf: BigInt(asOf), now: NOW },
});
const leaving = (userId: string, asOf: number): ManagerRosterCommand => ({
  type: 'AnnounceManagerLeaving',
  data: { userId, asOf: BigInt(asOf), now: NOW },
});
const lastManager = { error: ConflictError, reason: 'user.last_manager' } as const;
const membersAfter = (events: ManagerRosterEvent[]) =>
  rosterMembers(events.reduce(managerRosterDecider.evolve, managerRosterDecider.initialState()));

describe('Manager roster', () => {
  describe('syncing what a user stream says', () => {
    it('records a member as of a revision, once', () => {
      spec.given([]).when(sync('usr_1', true, 0)).then([synced('usr_1', true, 0)]);
      spec.given([synced('usr_1', true, 0)]).when(sync('usr_1', true, 0)).then([]);
    });
    it('records a newer revision even when membership is unchanged, so older reports stay ignored', () =>
      spec.given([synced('usr_1', true, 0)]).when(sync('usr_1', true, 3)).then([synced('usr_1', true, 3)]));
    it('ignores a report older than what it knows: a late "member" cannot undo a departure', () =>
      spec.given([synced('usr_2', true, 0), synced('usr_1', false, 4, true)]).when(sync('usr_1', true, 3)).then([]));
    it('lets a confirmed report replace an announcement of the same revision', () =>
      spec.given([synced('usr_1', false, 4, true)]).when(sync('usr_1', true, 4)).then([synced('usr_1', true, 4)]));
    it('never refuses a confirmed report, even one that leaves no member: it is already true', () =>
      spec.given([synced('usr_1', true, 2)]).when(sync('usr_1', false, 3)).then([synced('usr_1', false, 3)]));
  });

  describe('announcing a departure before it is written', () => {
    it('lets a manager leave while another stays', () =>
      spec
        .given([synced('usr_1', true, 0), synced('usr_2', true, 0)])
        .when(leaving('usr_1', 1))
        .then([synced('usr_1', false, 1, true)]));
    it('keeps the last manager', () =>
      spec.given([synced('usr_1', true, 0), synced('usr_2', true, 0), synced('usr_2', false, 1, true)]).when(leaving('usr_1', 5)).then(lastManager));
    it('counts only the others: with no one listed, a departure is refused, since the roster may be one short', () =>
      spec.given([synced('usr_9', false, 2)]).when(leaving('usr_1', 1)).then(lastManager));
    it('ignores an announcement at or below what it knows: that write will lose its race', () => {
      const given = [synced('usr_1', true, 0), synced('usr_1', false, 4, true)];
      spec.given(given).when(leaving('usr_1', 4)).then([]);
      spec.given(given).when(leaving('usr_1', 3)).then([]);
      spec.given([synced('usr_2', true, 0), synced('usr_1', false, 4)]).when(leaving('usr_1', 4)).then([]);
    });
  });

  describe('events from before revisions were tracked', () => {
    const legacy: ManagerRosterEvent[] = [
      { type: 'ManagerAdded', data: { userId: 'usr_1', addedAt: NOW } },
      { type: 'ManagerAdded', data: { userId: 'usr_2', addedAt: NOW } },
      { type: 'ManagerAdded', data: { userId: 'usr_3', addedAt: NOW } },
      { type: 'ManagerRemoved', data: { userId: 'usr_3', removedAt: NOW } },
    ];
    it('count as confirmed entries older than any revision', () => {
      expect(membersAfter(legacy)).toEqual(['usr_1', 'usr_2']);
      spec.given(legacy).when(sync('usr_1', false, 0)).then([synced('usr_1', false, 0)]);
      spec.given(legacy).when(leaving('usr_2', 0)).then([synced('usr_2', false, 0, true)]);
      spec.given([...legacy, synced('usr_2', false, 0, true)]).when(leaving('usr_1', 7)).then(lastManager);
    });
  });

  it('lists as members exactly the users whose last accepted entry says so', () =>
    expect(
      membersAfter([synced('usr_b', true, 0), synced('usr_a', true, 1), synced('usr_c', true, 0), synced('usr_c', false, 2, true)]),
    ).toEqual(['usr_a', 'usr_b']));
});
