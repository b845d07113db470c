import { describe, it } from 'vitest';
import { managerRosterDecider, type ManagerRosterEvent } from '../../src/domain/managerRoster/index.js';
import { ConflictError } from '../../src/domain/shared/index.js';
import { deciderSpec } from '../support/deciderSpec.js';

const NOW = '2026-02-01T08:00:00.000Z';
const spec = deciderSpec(managerRosterDecider);
const added = (userId: string): ManagerRosterEvent => ({ type: 'ManagerAdded', data: { userId, addedAt: NOW } });
const removed = (userId: string): ManagerRosterEvent => ({ type: 'ManagerRemoved', data: { userId, removedAt: NOW } });
const add = (userId: string) => ({ type: 'AddManager' as const, data: { userId, now: NOW } });
const remove = (userId: string) => ({ type: 'RemoveManager' as const, data: { userId, now: NOW } });

describe('Manager roster', () => {
  it('adds a manager once', () => {
    spec.given([]).when(add('usr_1')).then([added('usr_1')]);
    spec.given([added('usr_1')]).when(add('usr_1')).then([]);
  });
  it('lets a manager leave while another stays', () =>
    spec.given([added('usr_1'), added('usr_2')]).when(remove('usr_1')).then([removed('usr_1')]));
  it('keeps the last active manager', () =>
    spec.given([added('usr_1'), added('usr_2'), removed('usr_2')]).when(remove('usr_1')).then({
      error: ConflictError,
      reason: 'user.last_manager',
    }));
  it('is a no-op for someone who is not on it', () => spec.given([added('usr_1')]).when(remove('usr_9')).then([]));
});
