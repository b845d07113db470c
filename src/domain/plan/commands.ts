import type { Command } from '../shared/index.js';
import type { PlanTerms } from './state.js';

export type CreatePlan = Command<'CreatePlan', PlanTerms & { planId: string; now: string }>;
/** Only what does not change a price: a price change is a new plan. */
export type UpdatePlan = Command<
  'UpdatePlan',
  { name?: string; description?: string | null; metadata?: Readonly<Record<string, string>> | null; now: string }
>;
export type ArchivePlan = Command<'ArchivePlan', { now: string }>;

export type PlanCommand = CreatePlan | UpdatePlan | ArchivePlan;
