import type { Decider } from '../shared/index.js';
import type { ContractCommand } from './commands.js';
import { decideContract } from './decide.js';
import type { ContractEvent } from './events.js';
import { evolveContract } from './evolve.js';
import { initialContractState, type ContractState } from './state.js';

export type * from './commands.js';
export type * from './events.js';
export { CONTRACT_STATUSES, type ContractState, type ContractStatus, type ContractTerms } from './state.js';
export { CONTRACT_TRANSITIONS } from './decide.js';

export const contractStreamName = (contractId: string): string => `contract-${contractId}`;

export const contractDecider: Decider<ContractState, ContractCommand, ContractEvent> = {
  decide: decideContract,
  evolve: evolveContract,
  initialState: initialContractState,
};
