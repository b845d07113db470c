export const ROLES = ['USER', 'ADMIN', 'MANAGER', 'AUDITOR'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who issues a command, in the domain and in every event's metadata: a user
 * with the role they act in, or a system part (`system:cli`,
 * `system:scheduler`) with none, which no role check lets through.
 */
export type Actor = Readonly<{ id: string; role?: Role }>;
