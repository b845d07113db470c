import type { Command } from '../shared/index.js';
import type { PlanTerms } from './state.js';

export type CreatePlan = Command<'CreatePlan', PlanTerms & { planId: string; now: string }>;
/** Only what does not change a price: a price change is a new plan. */
export type UpdatePlan = Command<
  'UpdatePlan',
  { name?: string; description?: string | null; metadata?: Readonly<Record<string, string>> | null; now: string }
>;
export type ArchivePlan = Command<'ArchivePlan', { now: string }>;
/** The tax rate its charges are taxed at (a customer's own wins); `null` removes it. The application checks the rate is active. */
export type SetPlanTaxRate = Command<'SetPlanTaxRate', { taxRateId: string | null; now: string }>;

export type PlanCommand = CreatePlan | UpdatePlan | ArchivePlan | SetPlanTaxRate;
