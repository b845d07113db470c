import { applyOptional } from '../shared/index.js';
import type { PlanEvent } from './events.js';
import type { PlanState } from './state.js';

export const evolvePlan = (state: PlanState, event: PlanEvent): PlanState => {
  switch (event.type) {
    case 'PlanCreated': {
      const { createdAt, ...terms } = event.data;
      return { status: 'active', ...terms, createdAt, updatedAt: createdAt };
    }
    case 'PlanUpdated': {
      if (state.status === 'none') return state;
      const { description: oldDescription, metadata: oldMetadata, ...rest } = state;
      const description = applyOptional(oldDescription, event.data.description);
      const metadata = applyOptional(oldMetadata, event.data.metadata);
      return {
        ...rest,
        name: event.data.name ?? state.name,
        ...(description !== undefined && { description }),
        ...(metadata !== undefined && { metadata }),
        updatedAt: event.data.updatedAt,
      };
    }
    case 'PlanTaxRateSet': {
      if (state.status === 'none') return state;
      const { taxRateId: _old, ...rest } = state;
      return { ...rest, ...(event.data.taxRateId !== null && { taxRateId: event.data.taxRateId }), updatedAt: event.data.setAt };
    }
    case 'PlanArchived':
      return state.status === 'active'
        ? { ...state, status: 'archived', archivedAt: event.data.archivedAt, updatedAt: event.data.archivedAt }
        : state;
  }
};
