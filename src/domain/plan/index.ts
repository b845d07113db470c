import type { Decider } from '../shared/index.js';
import type { PlanCommand } from './commands.js';
import { decidePlan } from './decide.js';
import type { PlanEvent } from './events.js';
import { evolvePlan } from './evolve.js';
import { initialPlanState, type PlanState } from './state.js';

export type * from './commands.js';
export type * from './events.js';
export { PRICING_MODELS, type PlanState, type PlanTerms, type PricingModel } from './state.js';

export const planStreamName = (planId: string): string => `plan-${planId}`;

export const planDecider: Decider<PlanState, PlanCommand, PlanEvent> = {
  decide: decidePlan,
  evolve: evolvePlan,
  initialState: initialPlanState,
};
