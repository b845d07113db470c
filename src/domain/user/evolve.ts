import type { UserEvent } from './events.js';
import type { UserState } from './state.js';

export const evolveUser = (state: UserState, event: UserEvent): UserState => {
  switch (event.type) {
    case 'UserRegistered': {
      const { userId, email, displayName, role, registeredAt } = event.data;
      return { status: 'active', userId, email, displayName, role, registeredAt, updatedAt: registeredAt, deactivations: 0 };
    }
    case 'UserRoleChanged':
      return state.status === 'unregistered' ? state : { ...state, role: event.data.to, updatedAt: event.data.changedAt };
    case 'UserDeactivated': {
      const { deactivatedAt } = event.data;
      return state.status === 'active' ? { ...state, status: 'inactive', deactivatedAt, updatedAt: deactivatedAt, deactivations: state.deactivations + 1 } : state;
    }
    case 'UserReactivated':
      return state.status === 'inactive' ? { ...state, status: 'active', updatedAt: event.data.reactivatedAt } : state;
  }
};
