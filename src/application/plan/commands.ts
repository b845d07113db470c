import { planInput, planPatch } from './schemas.js';
import { type Clock } from '../../clock/index.js';
import type { z } from 'zod';
import { newId } from '../shared/index.js';
import { planDecider, planStreamName, type PlanCommand, type PlanEvent, type PlanState } from '../../domain/plan/index.js';
import type { EventStore } from '../../eventstore/index.js';
import { parseInput } from '../shared/index.js';
import { commandPath, type Aggregate, type Ask } from '../shared/index.js';
import { checkActiveTaxRate, taxRateChoice } from '../taxRate/index.js';

export const planExists = (s: PlanState): s is Exclude<PlanState, { status: 'none' }> => s.status !== 'none';

export const plans: Aggregate<PlanState, PlanCommand, PlanEvent> = { decider: planDecider, streamOf: planStreamName };

export const createPlanCommands = (deps: Readonly<{ store: EventStore; clock: Clock }>) => {
  const path = commandPath(deps.store, deps.clock, plans);
  const now = () => deps.clock.now().toISOString();
  return {
    current: path.current,

    create: (input: z.input<typeof planInput>, ask: Ask) => {
      const valid = parseInput(planInput, input, 'plan.invalid');
      const planId = newId('pln');
      return path.run(planId, { type: 'CreatePlan', data: { planId, ...valid, now: now() } }, ask, true);
    },

    update: (planId: string, input: z.input<typeof planPatch>, ask: Ask) => {
      const valid = parseInput(planPatch, input, 'plan.invalid');
      return path.run(planId, { type: 'UpdatePlan', data: { ...valid, now: now() } }, ask);
    },

    archive: (planId: string, ask: Ask) => path.run(planId, { type: 'ArchivePlan', data: { now: now() } }, ask),

    /** The tax rate its charges are taxed at (a customer's own wins); null removes it. */
    setTaxRate: async (planId: string, input: z.input<typeof taxRateChoice>, ask: Ask) => {
      const { taxRateId } = parseInput(taxRateChoice, input, 'plan.invalid');
      if (taxRateId !== null) await checkActiveTaxRate(deps.store, taxRateId);
      return path.run(planId, { type: 'SetPlanTaxRate', data: { taxRateId, now: now() } }, ask);
    },
  };
};

export type PlanCommands = ReturnType<typeof createPlanCommands>;
