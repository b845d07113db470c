import type { BillingInterval } from '../shared/index.js';

export const PRICING_MODELS = ['flat_rate', 'per_unit'] as const;
export type PricingModel = (typeof PRICING_MODELS)[number];

/** What a plan sells, at what price, how often. Everything but the name, description and metadata is fixed for life. */
export type PlanTerms = Readonly<{
  name: string;
  description?: string;
  pricingModel: PricingModel;
  /** Minor units per period (per unit for `per_unit`), a safe integer ≥ 0. */
  amount: number;
  /** ISO 4217, lower case. */
  currency: string;
  interval: BillingInterval;
  intervalCount: number;
  trialDays: number;
  metadata?: Readonly<Record<string, string>>;
}>;

type Known = PlanTerms & Readonly<{ planId: string; createdAt: string; updatedAt: string; taxRateId?: string }>;

export type PlanState =
  | Readonly<{ status: 'none' }>
  | Readonly<{ status: 'active' } & Known>
  | Readonly<{ status: 'archived'; archivedAt: string } & Known>;

export const initialPlanState = (): PlanState => ({ status: 'none' });
