import type { RecordedEvent } from '../../eventstore/index.js';

export type FieldChange = Readonly<{ before?: unknown; after?: unknown }>;
export type Changes = Readonly<Record<string, FieldChange>>;

type Summarize = (data: Record<string, unknown>) => Changes;

const everyFieldAfter: Summarize = (d) => Object.fromEntries(Object.entries(d).map(([k, v]) => [k, { after: v }]));

/** The status an event type moves to; `before` only where a single status allows the move. */
const toStatus =
  (after: string, before?: string): Summarize =>
  (d) => ({ ...everyFieldAfter(d), status: before === undefined ? { after } : { before, after } });

/** The balance before follows from the one after: a grant added the amount, an application took it. */
const credit =
  (sign: 1 | -1): Summarize =>
  ({ balanceAfter, ...rest }) => ({
    ...everyFieldAfter(rest),
    [`credit.${String(rest.currency)}`]: { before: Number(balanceAfter) - sign * Number(rest.amount), after: balanceAfter },
  });

/**
 * An invoice joins or leaves a subscription's unpaid invoices. The summary
 * sees only the event, not the list: it names the invoice whose membership
 * changed (the decider records neither a repeat nor a stranger's settlement).
 */
const pastDueInvoice =
  (before: boolean): Summarize =>
  (d) => ({ ...everyFieldAfter(d), [`pastDueInvoiceIds.${String(d.invoiceId)}`]: { before, after: !before } });

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
  CustomerCreditGranted: credit(1),
  CustomerCreditApplied: credit(-1),
  PlanCreated: toStatus('active'),
  PlanArchived: toStatus('archived', 'active'),
  ContractCreated: toStatus('DRAFT'),
  ContractActivated: toStatus('ACTIVE', 'DRAFT'),
  ContractSuspended: toStatus('SUSPENDED', 'ACTIVE'),
  ContractResumed: toStatus('ACTIVE', 'SUSPENDED'),
  ContractTerminated: toStatus('TERMINATED'),
  ContractExpired: toStatus('EXPIRED'),
  SubscriptionTrialEnded: toStatus('ACTIVE', 'TRIALING'),
  SubscriptionPaused: toStatus('PAUSED'),
  SubscriptionResumed: toStatus('ACTIVE', 'PAUSED'),
  SubscriptionPlanChanged: ({ previousPlanId, ...rest }) => ({
    ...everyFieldAfter(rest),
    planId: { before: previousPlanId, after: (rest.plan as { planId?: unknown } | undefined)?.planId },
  }),
  SubscriptionQuantityChanged: ({ previousQuantity, quantity, ...rest }) => ({
    ...everyFieldAfter(rest),
    quantity: { before: previousQuantity, after: quantity },
  }),
  SubscriptionCancellationScheduled: (d) => ({ ...everyFieldAfter(d), cancelAtPeriodEnd: { before: false, after: true } }),
  SubscriptionCancellationWithdrawn: (d) => ({ ...everyFieldAfter(d), cancelAtPeriodEnd: { before: true, after: false } }),
  SubscriptionCanceled: toStatus('CANCELED'),
  SubscriptionExpired: toStatus('EXPIRED'),
  // The first unpaid invoice moves ACTIVE to PAST_DUE, a further one finds it PAST_DUE: the event does not say which.
  SubscriptionPastDue: (d) => ({ ...pastDueInvoice(false)(d), status: { after: 'PAST_DUE' } }),
  SubscriptionInvoiceSettled: pastDueInvoice(true),
  SubscriptionRecovered: (d) => ({ ...pastDueInvoice(true)(d), status: { before: 'PAST_DUE', after: 'ACTIVE' } }),
};

export const changesOf = (event: RecordedEvent): Changes => {
  const data = (event.data ?? {}) as Record<string, unknown>;
  return (summarizers[event.type] ?? everyFieldAfter)(data);
};
