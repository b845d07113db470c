import type { UserEvent } from './events.js';
import type { UserState } from './state.js';

export const evolveUser = (state: UserState, event: UserEvent): UserState => {
  switch (event.type) {
    case 'UserRegistered': {
      const { userId, email, displayName, role } = event.data;
      return { status: 'active', userId, email, displayName, role };
    }
    case 'UserRoleChanged':
      return state.status === 'unregistered' ? state : { ...state, role: event.data.to };
    case 'UserDeactivated':
      return state.status === 'active' ? { ...state, status: 'inactive' } : state;
    case 'UserReactivated':
      return state.status === 'inactive' ? { ...state, status: 'active' } : state;
  }
};
