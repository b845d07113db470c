import { ConflictError, NotFoundError, ValidationError } from '../shared/index.js';
import type { UserCommand } from './commands.js';
import type { UserEvent } from './events.js';
import { assertMayManage } from './policy.js';
import type { UserState } from './state.js';

const registered = (state: UserState) => {
  if (state.status === 'unregistered') throw new NotFoundError('user.not_found', 'the user does not exist');
  return state;
};

/**
 * Deactivating an inactive user, reactivating an active one or granting the
 * role a user already has changes nothing: no events, so the caller answers
 * with the current state. Who may ask is checked first, so a no-op tells an
 * unauthorised caller nothing. The last-MANAGER rule is not decided here; it needs
 * every manager, which the manager roster holds.
 */
export const decideUser = (command: UserCommand, state: UserState): UserEvent[] => {
  switch (command.type) {
    case 'RegisterUser': {
      const { userId, email, displayName, role, now } = command.data;
      if (state.status !== 'unregistered') {
        if (state.userId === userId && state.email === email) return [];
        throw new ConflictError('user.already_registered', `user ${state.userId} already exists`);
      }
      if (displayName.trim() === '') throw new ValidationError('user.display_name_empty', 'displayName is empty');
      return [{ type: 'UserRegistered', data: { userId, email, displayName: displayName.trim(), role, registeredAt: now } }];
    }
    case 'ChangeUserRole': {
      const user = registered(state);
      if (user.status === 'inactive') {
        throw new ConflictError('user.inactive', `user ${user.userId} is deactivated`, { status: user.status });
      }
      assertMayManage(command.data.actor, user.role, command.data.to);
      if (user.role === command.data.to) return [];
      return [
        { type: 'UserRoleChanged', data: { userId: user.userId, from: user.role, to: command.data.to, changedAt: command.data.now } },
      ];
    }
    case 'DeactivateUser': {
      const user = registered(state);
      assertMayManage(command.data.actor, user.role);
      if (user.status === 'inactive') return [];
      const { reason, now } = command.data;
      return [{ type: 'UserDeactivated', data: { userId: user.userId, ...(reason !== undefined && { reason }), deactivatedAt: now } }];
    }
    case 'ReactivateUser': {
      const user = registered(state);
      assertMayManage(command.data.actor, user.role);
      if (user.status === 'active') return [];
      return [{ type: 'UserReactivated', data: { userId: user.userId, reactivatedAt: command.data.now } }];
    }
  }
  const _exhaustive: never = command;
  return _exhaustive;
};
