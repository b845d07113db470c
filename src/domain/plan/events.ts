import type { Event } from '../shared/index.js';
import type { PlanTerms } from './state.js';

export type PlanCreated = Event<'PlanCreated', PlanTerms & { planId: string; createdAt: string }>;
/** Only the fields that changed; `null` clears an optional one. */
export type PlanUpdated = Event<
  'PlanUpdated',
  { planId: string; name?: string; description?: string | null; metadata?: Readonly<Record<string, string>> | null; updatedAt: string }
>;
export type PlanArchived = Event<'PlanArchived', { planId: string; archivedAt: string }>;

export type PlanTaxRateSet = Event<'PlanTaxRateSet', { planId: string; taxRateId: string | null; setAt: string }>;

export type PlanEvent = PlanCreated | PlanUpdated | PlanArchived | PlanTaxRateSet;
