export const ROLES = ['USER', 'ADMIN', 'MANAGER', 'AUDITOR'] as const;
export type Role = (typeof ROLES)[number];

/** Who issues a command, as the decider needs to know it. */
export type Actor = Readonly<{ id: string; role: Role }>;
