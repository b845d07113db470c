import type { PlanTerms } from '../../domain/plan/index.js';
import { optional, type Stamped } from '../shared/index.js';

/** A plan as the API shows it. */
type PlanLike = PlanTerms & Stamped & Readonly<{ planId: string; status: string; archivedAt?: string; taxRateId?: string | null }>;

export const presentPlan = (s: PlanLike, revision: bigint) => ({
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
  taxRateId: s.taxRateId ?? null,
  status: s.status,
  archivedAt: optional(s.archivedAt),
  revision: revision.toString(),
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});
