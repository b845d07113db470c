import type { ContractEvent } from './events.js';
import type { ContractState } from './state.js';

type Existing = Exclude<ContractState, { status: 'NONE' }>;

/** The contract's facts without the end of an ended one; the decider never moves an ended contract. */
const facts = (state: Existing) => {
  const { endedAt: _endedAt, ...rest } = state as Existing & { endedAt?: string };
  return rest;
};

export const evolveContract = (state: ContractState, event: ContractEvent): ContractState => {
  if (event.type === 'ContractCreated') {
    const { createdAt, ...terms } = event.data;
    return { status: 'DRAFT', ...terms, createdAt, updatedAt: createdAt };
  }
  if (state.status === 'NONE') return state;
  switch (event.type) {
    case 'ContractActivated':
      return { ...facts(state), status: 'ACTIVE', updatedAt: event.data.activatedAt };
    case 'ContractSuspended':
      return { ...facts(state), status: 'SUSPENDED', updatedAt: event.data.suspendedAt };
    case 'ContractResumed':
      return { ...facts(state), status: 'ACTIVE', updatedAt: event.data.resumedAt };
    case 'ContractTerminated':
      return { ...facts(state), status: 'TERMINATED', endedAt: event.data.terminatedAt, updatedAt: event.data.terminatedAt };
    case 'ContractExpired':
      return { ...facts(state), status: 'EXPIRED', endedAt: event.data.expiredAt, updatedAt: event.data.expiredAt };
  }
};
