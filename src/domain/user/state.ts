import type { Role } from '../shared/index.js';

type Known = {
  userId: string;
  email: string;
  displayName: string;
  role: Role;
  /** ISO times taken from the events themselves, so an answer can be built from the stream alone. */
  registeredAt: string;
  updatedAt: string;
  /** The last deactivation, kept after a reactivation: sessions begun before it stay ended. */
  deactivatedAt?: string;
};

export type UserState =
  | Readonly<{ status: 'unregistered' }>
  | Readonly<{ status: 'active' } & Known>
  | Readonly<{ status: 'inactive' } & Known>;

export const initialUserState = (): UserState => ({ status: 'unregistered' });

/** Whether the user counts towards "at least one active MANAGER". */
export const isActiveManager = (state: UserState): boolean => state.status === 'active' && state.role === 'MANAGER';
