import type { RecordedEvent } from '../../eventstore/index.js';

export type FieldChange = Readonly<{ before?: unknown; after?: unknown }>;
export type Changes = Readonly<Record<string, FieldChange>>;

type Summarize = (data: Record<string, unknown>) => Changes;

/** What each event changed, field by field, for auditors. Events without a summariser list their data as "after". */
const summarizers: Readonly<Record<string, Summarize>> = {
  UserRegistered: (d) => ({
    email: { after: d.email },
    displayName: { after: d.displayName },
    role: { after: d.role },
    active: { after: true },
  }),
  UserRoleChanged: (d) => ({ role: { before: d.from, after: d.to } }),
  UserDeactivated: (d) => ({
    active: { before: true, after: false },
    ...(d.reason !== undefined && { reason: { after: d.reason } }),
  }),
  UserReactivated: () => ({ active: { before: false, after: true } }),
};

const everyFieldAfter: Summarize = (d) => Object.fromEntries(Object.entries(d).map(([k, v]) => [k, { after: v }]));

export const changesOf = (event: RecordedEvent): Changes => {
  const data = (event.data ?? {}) as Record<string, unknown>;
  return (summarizers[event.type] ?? everyFieldAfter)(data);
};
