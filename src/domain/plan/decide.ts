import { ConflictError, NotFoundError, sameRecord, ValidationError } from '../shared/index.js';
import type { PlanCommand } from './commands.js';
import type { PlanEvent } from './events.js';
import { PRICING_MODELS, type PlanState, type PlanTerms } from './state.js';

const invalid = (field: string, message: string) =>
  new ValidationError('plan.invalid', `${field} ${message}`, { fields: [{ path: field, message }] });

/** The decider's own guard: whatever the caller validated, a plan's terms are sound. */
const checkTerms = (terms: PlanTerms): void => {
  if (terms.name.trim() === '') throw invalid('name', 'must not be empty');
  if (!PRICING_MODELS.includes(terms.pricingModel)) throw invalid('pricingModel', `must be one of ${PRICING_MODELS.join(', ')}`);
  if (!Number.isSafeInteger(terms.amount) || terms.amount < 0) throw invalid('amount', 'must be a safe integer of minor units ≥ 0');
  if (!/^[a-z]{3}$/.test(terms.currency)) throw invalid('currency', 'must be an ISO 4217 code in lower case');
  if (terms.interval !== 'month' && terms.interval !== 'year') throw invalid('interval', 'must be month or year');
  if (!Number.isSafeInteger(terms.intervalCount) || terms.intervalCount < 1) throw invalid('intervalCount', 'must be a whole number ≥ 1');
  if (!Number.isSafeInteger(terms.trialDays) || terms.trialDays < 0) throw invalid('trialDays', 'must be a whole number ≥ 0');
};

const sameTerms = (a: PlanTerms, b: PlanTerms): boolean =>
  JSON.stringify([a.name, a.description, a.pricingModel, a.amount, a.currency, a.interval, a.intervalCount, a.trialDays, a.metadata ?? null]) ===
  JSON.stringify([b.name, b.description, b.pricingModel, b.amount, b.currency, b.interval, b.intervalCount, b.trialDays, b.metadata ?? null]);

/**
 * Plans: active → archived. Prices never change in place (a new price is a
 * new plan); only the name, description and metadata may be updated, on an
 * archived plan too. Creating the same plan again, archiving an archived plan
 * or an update that changes nothing appends nothing.
 */
export const decidePlan = (command: PlanCommand, state: PlanState): PlanEvent[] => {
  switch (command.type) {
    case 'CreatePlan': {
      const { now, planId, ...terms } = command.data;
      if (state.status !== 'none') {
        if (state.planId === planId && sameTerms(state, terms)) return [];
        throw new ConflictError('plan.already_exists', `plan ${state.planId} already exists`);
      }
      checkTerms(terms);
      return [{ type: 'PlanCreated', data: { planId, ...terms, createdAt: now } }];
    }
    case 'UpdatePlan': {
      if (state.status === 'none') throw new NotFoundError('plan.not_found', 'the plan does not exist');
      const { now, name, description, metadata } = command.data;
      if (name !== undefined && name.trim() === '') throw invalid('name', 'must not be empty');
      const changes = {
        ...(name !== undefined && name !== state.name && { name }),
        ...(description !== undefined && (description ?? undefined) !== state.description && { description }),
        ...(metadata !== undefined && !sameRecord(state.metadata, metadata) && { metadata }),
      };
      if (Object.keys(changes).length === 0) return [];
      return [{ type: 'PlanUpdated', data: { planId: state.planId, ...changes, updatedAt: now } }];
    }
    case 'SetPlanTaxRate': {
      if (state.status === 'none') throw new NotFoundError('plan.not_found', 'the plan does not exist');
      const { taxRateId, now } = command.data;
      if ((state.taxRateId ?? null) === taxRateId) return [];
      return [{ type: 'PlanTaxRateSet', data: { planId: state.planId, taxRateId, setAt: now } }];
    }
    case 'ArchivePlan':
      if (state.status === 'none') throw new NotFoundError('plan.not_found', 'the plan does not exist');
      if (state.status === 'archived') return [];
      return [{ type: 'PlanArchived', data: { planId: state.planId, archivedAt: command.data.now } }];
  }
  const _exhaustive: never = command;
  return _exhaustive;
};
