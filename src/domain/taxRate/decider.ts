import { rateUnits } from '../invoice/index.js';
import { ConflictError, NotFoundError, ValidationError, type Decider } from '../shared/index.js';
import type { TaxRateCommand, TaxRateEvent, TaxRateState, TaxRateTerms } from './types.js';

const invalid = (field: string, message: string) => new ValidationError('tax_rate.invalid', `${field} ${message}`, { fields: [{ path: field, message }] });

const sameTerms = (a: TaxRateTerms, b: TaxRateTerms) =>
  a.displayName === b.displayName && a.jurisdiction === b.jurisdiction && a.percentage === b.percentage && a.inclusive === b.inclusive;

export const decideTaxRate = (command: TaxRateCommand, state: TaxRateState): TaxRateEvent[] => {
  switch (command.type) {
    case 'CreateTaxRate': {
      const { taxRateId, displayName, jurisdiction, percentage, inclusive, now } = command.data;
      if (state.status !== 'NONE') {
        if (sameTerms(state, command.data)) return [];
        throw new ConflictError('tax_rate.already_exists', `tax rate ${state.taxRateId} already exists: a rate never changes, create another`);
      }
      if (displayName.trim() === '') throw invalid('displayName', 'must not be empty');
      if (jurisdiction.trim() === '') throw invalid('jurisdiction', 'must not be empty');
      if (typeof inclusive !== 'boolean') throw invalid('inclusive', 'must be true or false');
      rateUnits(percentage);
      return [{ type: 'TaxRateCreated', data: { taxRateId, displayName, jurisdiction, percentage, inclusive, createdAt: now } }];
    }
    case 'DeactivateTaxRate':
      if (state.status === 'NONE') throw new NotFoundError('tax_rate.not_found', 'the tax rate does not exist');
      if (state.status === 'INACTIVE') return [];
      return [{ type: 'TaxRateDeactivated', data: { taxRateId: state.taxRateId, deactivatedAt: command.data.now } }];
  }
  const _exhaustive: never = command;
  return _exhaustive;
};

export const evolveTaxRate = (state: TaxRateState, event: TaxRateEvent): TaxRateState => {
  switch (event.type) {
    case 'TaxRateCreated': {
      const { createdAt, ...terms } = event.data;
      return { ...terms, status: 'ACTIVE', createdAt };
    }
    case 'TaxRateDeactivated':
      return state.status === 'ACTIVE' ? { ...state, status: 'INACTIVE', deactivatedAt: event.data.deactivatedAt } : state;
  }
};

export const taxRateDecider: Decider<TaxRateState, TaxRateCommand, TaxRateEvent> = {
  decide: decideTaxRate,
  evolve: evolveTaxRate,
  initialState: () => ({ status: 'NONE' }),
};
