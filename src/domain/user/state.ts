import type { Role } from '../shared/index.js';

type Known = { userId: string; email: string; displayName: string; role: Role };

export type UserState =
  | Readonly<{ status: 'unregistered' }>
  | Readonly<{ status: 'active' } & Known>
  | Readonly<{ status: 'inactive' } & Known>;

export const initialUserState = (): UserState => ({ status: 'unregistered' });
