import type { Event, Role } from '../shared/index.js';

export type UserRegistered = Event<
  'UserRegistered',
  { userId: string; email: string; displayName: string; role: Role; registeredAt: string }
>;
export type UserRoleChanged = Event<'UserRoleChanged', { userId: string; from: Role; to: Role; changedAt: string }>;
export type UserDeactivated = Event<'UserDeactivated', { userId: string; reason?: string; deactivatedAt: string }>;
export type UserReactivated = Event<'UserReactivated', { userId: string; reactivatedAt: string }>;

export type UserEvent = UserRegistered | UserRoleChanged | UserDeactivated | UserReactivated;
