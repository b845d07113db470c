/**
 * The API's shape of a resource is built from a folded stream (command
 * answers and time travel) or from a read-model row (lists): each feature's
 * present.ts takes either. Absent optional fields are null in both.
 */
export const optional = <T>(value: T | undefined): T | null => value ?? null;

/** What a folded stream and a read-model row both have. */
export type Stamped = Readonly<{ createdAt: string; updatedAt: string }>;
