import type { ContractState } from '../../domain/contract/index.js';
import type { CustomerState } from '../../domain/customer/index.js';
import type { PlanState } from '../../domain/plan/index.js';
import type { SubscriptionState } from '../../domain/subscription/index.js';

/**
 * The API's shape of each resource, built from a folded stream (command
 * answers and time travel). Lists present read-model rows in the same shape;
 * absent optional fields are null in both.
 */
type Known<S, Missing> = Exclude<S, Missing>;

const optional = <T>(value: T | undefined): T | null => value ?? null;
const field = (state: object, name: string): unknown => (state as Record<string, unknown>)[name] ?? null;

export const presentCustomer = (s: Known<CustomerState, { status: 'none' }>, revision: bigint) => ({
  customerId: s.customerId,
  name: s.name,
  email: s.email,
  ownerUserId: optional(s.ownerUserId),
  paymentMethod: optional(s.paymentMethod),
  metadata: optional(s.metadata),
  credit: s.credit,
  revision: revision.toString(),
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});

export const presentPlan = (s: Known<PlanState, { status: 'none' }>, revision: bigint) => ({
  planId: s.planId,
  name: s.name,
  description: optional(s.description),
  pricingModel: s.pricingModel,
  amount: s.amount,
  currency: s.currency,
  interval: s.interval,
  intervalCount: s.intervalCount,
  trialDays: s.trialDays,
  metadata: optional(s.metadata),
  status: s.status,
  archivedAt: field(s, 'archivedAt') as string | null,
  revision: revision.toString(),
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});

export const presentContract = (s: Known<ContractState, { status: 'NONE' }>, revision: bigint) => ({
  contractId: s.contractId,
  customerId: s.customerId,
  title: s.title,
  terms: optional(s.terms),
  startsAt: s.startsAt,
  endsAt: optional(s.endsAt),
  status: s.status,
  endedAt: field(s, 'endedAt') as string | null,
  revision: revision.toString(),
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});

export const presentSubscription = (s: Known<SubscriptionState, { status: 'NONE' }>, revision: bigint) => ({
  subscriptionId: s.subscriptionId,
  customerId: s.customerId,
  contractId: s.contractId,
  planId: s.plan.planId,
  status: s.status,
  quantity: s.quantity,
  pricingModel: s.plan.pricingModel,
  amount: s.plan.amount,
  currency: s.plan.currency,
  interval: s.plan.interval,
  intervalCount: s.plan.intervalCount,
  billingAnchor: s.billingAnchor,
  currentPeriodStart: s.currentPeriodStart,
  currentPeriodEnd: s.currentPeriodEnd,
  cancelAtPeriodEnd: s.cancelAtPeriodEnd,
  cancelAt: optional(s.cancelAt),
  trialEnd: optional(s.trialEnd),
  pausedAt: field(s, 'pausedAt') as string | null,
  pausedBy: field(s, 'pausedBy') as string | null,
  canceledAt: field(s, 'canceledAt') as string | null,
  expiredAt: field(s, 'expiredAt') as string | null,
  pastDueSince: field(s, 'pastDueSince') as string | null,
  revision: revision.toString(),
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});
