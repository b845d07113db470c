import type { Actor, Command, Role } from '../shared/index.js';

/** Who may register with which role is the caller's decision: the API registers USERs, the CLI bootstraps MANAGERs. */
export type RegisterUser = Command<
  'RegisterUser',
  { userId: string; email: string; displayName: string; role: Role; now: string }
>;
export type ChangeUserRole = Command<'ChangeUserRole', { to: Role; actor: Actor; now: string }>;
export type DeactivateUser = Command<'DeactivateUser', { reason?: string; actor: Actor; now: string }>;
export type ReactivateUser = Command<'ReactivateUser', { actor: Actor; now: string }>;

export type UserCommand = RegisterUser | ChangeUserRole | DeactivateUser | ReactivateUser;
