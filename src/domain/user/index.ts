import type { Decider } from '../shared/index.js';
import type { UserCommand } from './commands.js';
import { decideUser } from './decide.js';
import type { UserEvent } from './events.js';
import { evolveUser } from './evolve.js';
import { initialUserState, type UserState } from './state.js';

export type * from './commands.js';
export type * from './events.js';
export { isActiveManager, type UserState } from './state.js';
export { assertMayManage } from './policy.js';

export const userStreamName = (userId: string): string => `user-${userId}`;

export const userDecider: Decider<UserState, UserCommand, UserEvent> = {
  decide: decideUser,
  evolve: evolveUser,
  initialState: initialUserState,
};
export { emailReservationDecider, normalizeEmail } from './email.js';
export { MANAGER_ROSTER_STREAM, managerRosterDecider, type ManagerRosterCommand } from './managerRoster.js';
