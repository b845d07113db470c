import { ConflictError, type Command, type Decider, type Event } from '../shared/index.js';

/**
 * The set of active MANAGERs, as one stream. "The last active MANAGER cannot
 * be demoted or deactivated" spans users, so it is decided here: a manager
 * leaves the roster before the user's stream records the change, and the
 * roster's own revision check makes two concurrent departures of the last two
 * managers resolve to one.
 */
export const MANAGER_ROSTER_STREAM = 'manager_roster-all';

export type ManagerRosterCommand =
  | Command<'AddManager', { userId: string; now: string }>
  | Command<'RemoveManager', { userId: string; now: string }>;

export type ManagerRosterEvent =
  | Event<'ManagerAdded', { userId: string; addedAt: string }>
  | Event<'ManagerRemoved', { userId: string; removedAt: string }>;

export type ManagerRosterState =
  | Readonly<{ status: 'empty' }>
  | Readonly<{ status: 'staffed'; managers: readonly string[] }>;

const managersOf = (state: ManagerRosterState): readonly string[] => (state.status === 'staffed' ? state.managers : []);

const decide = (command: ManagerRosterCommand, state: ManagerRosterState): ManagerRosterEvent[] => {
  const managers = managersOf(state);
  const { userId, now } = command.data;
  switch (command.type) {
    case 'AddManager':
      return managers.includes(userId) ? [] : [{ type: 'ManagerAdded', data: { userId, addedAt: now } }];
    case 'RemoveManager':
      if (!managers.includes(userId)) return [];
      if (managers.length === 1) {
        throw new ConflictError('user.last_manager', 'the last active MANAGER cannot be demoted or deactivated', { userId });
      }
      return [{ type: 'ManagerRemoved', data: { userId, removedAt: now } }];
  }
  const _exhaustive: never = command;
  return _exhaustive;
};

const evolve = (state: ManagerRosterState, event: ManagerRosterEvent): ManagerRosterState => {
  const managers = managersOf(state);
  switch (event.type) {
    case 'ManagerAdded':
      return { status: 'staffed', managers: [...managers, event.data.userId] };
    case 'ManagerRemoved': {
      const remaining = managers.filter((id) => id !== event.data.userId);
      return remaining.length === 0 ? { status: 'empty' } : { status: 'staffed', managers: remaining };
    }
  }
};

export const managerRosterDecider: Decider<ManagerRosterState, ManagerRosterCommand, ManagerRosterEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: 'empty' }),
};
