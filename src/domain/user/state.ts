import type { Role } from '../shared/index.js';

type Known = {
  userId: string;
  email: string;
  displayName: string;
  role: Role;
  /** ISO times taken from the events themselves, so an answer can be built from the stream alone. */
  registeredAt: string;
  updatedAt: string;
  /** The last deactivation, in domain time, kept after a reactivation. */
  deactivatedAt?: string;
  /**
   * How many times the user was deactivated. A session remembers the count it
   * began under, and any deactivation since ends it: an order that needs no
   * clock, where an instant of the domain's clock against one of the wall's would not do.
   */
  deactivations: number;
};

export type UserState =
  | Readonly<{ status: 'unregistered' }>
  | Readonly<{ status: 'active' } & Known>
  | Readonly<{ status: 'inactive' } & Known>;

export const initialUserState = (): UserState => ({ status: 'unregistered' });

/** Whether the user counts towards "at least one active MANAGER". */
export const isActiveManager = (state: UserState): boolean => state.status === 'active' && state.role === 'MANAGER';
