import type { Discount } from '../../domain/customer/index.js';
import type { PlanPrice } from '../../domain/subscription/index.js';
import { optional, type Stamped } from '../shared/index.js';

/** A subscription as the API shows it. */
type SubscriptionLike = Stamped &
  Readonly<{
    subscriptionId: string;
    customerId: string;
    contractId: string;
    plan: PlanPrice;
    status: string;
    quantity: number;
    billingAnchor: string;
    currentPeriodStart: string;
    currentPeriodEnd: string;
    cancelAtPeriodEnd: boolean;
    cancelAt?: string;
    trialEnd?: string;
    pausedAt?: string;
    pausedBy?: string;
    canceledAt?: string;
    expiredAt?: string;
    pastDueSince?: string;
    pastDueInvoiceIds?: readonly string[];
    discount?: Discount;
  }>;

export const presentSubscription = (s: SubscriptionLike, revision: bigint) => ({
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
  pausedAt: optional(s.pausedAt),
  pausedBy: optional(s.pausedBy),
  canceledAt: optional(s.canceledAt),
  expiredAt: optional(s.expiredAt),
  pastDueSince: optional(s.pastDueSince),
  pastDueInvoiceIds: [...(s.pastDueInvoiceIds ?? [])],
  discount: s.discount ?? null,
  revision: revision.toString(),
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});

/** An invoice's dunning as a read-model row keeps it (a folded stream keeps its whole collection instead). */
