import { contractInput } from './schemas.js';
import { type Clock } from '../../clock/index.js';
import type { z } from 'zod';
import { newId } from '../shared/index.js';
import {
  contractDecider,
  contractStreamName,
  type ContractCommand,
  type ContractEvent,
  type ContractState,
} from '../../domain/contract/index.js';
import { ValidationError } from '../../domain/shared/index.js';
import type { EventStore } from '../../eventstore/index.js';
import { customers } from '../customer/index.js';
import { parseInput, reasonInput } from '../shared/index.js';
import { commandPath, type Aggregate, type Ask } from '../shared/index.js';

export const contractExists = (s: ContractState): s is Exclude<ContractState, { status: 'NONE' }> => s.status !== 'NONE';

export const contracts: Aggregate<ContractState, ContractCommand, ContractEvent> = {
  decider: contractDecider,
  streamOf: contractStreamName,
};

export const createContractCommands = (deps: Readonly<{ store: EventStore; clock: Clock }>) => {
  const path = commandPath(deps.store, deps.clock, contracts);
  const customerPath = commandPath(deps.store, deps.clock, customers);
  const now = () => deps.clock.now().toISOString();
  const withReason = (input: unknown) => parseInput(reasonInput, input ?? {}, 'contract.invalid');

  return {
    current: path.current,

    /** The customer is checked on its stream before the contract's first write. */
    create: async (input: z.input<typeof contractInput>, ask: Ask) => {
      const { startsAt, ...valid } = parseInput(contractInput, input, 'contract.invalid');
      const customer = await customerPath.current(valid.customerId);
      if (customer.state.status === 'none') {
        throw new ValidationError('contract.customer_not_found', `customer ${valid.customerId} does not exist`, {
          fields: [{ path: 'customerId', message: 'no such customer' }],
        });
      }
      const contractId = newId('ctr');
      const at = now();
      return path.run(contractId, { type: 'CreateContract', data: { contractId, ...valid, startsAt: startsAt ?? at, now: at } }, ask, true);
    },

    activate: (contractId: string, ask: Ask) => path.run(contractId, { type: 'ActivateContract', data: { now: now() } }, ask),
    suspend: (contractId: string, input: unknown, ask: Ask) =>
      path.run(contractId, { type: 'SuspendContract', data: { ...withReason(input), now: now() } }, ask),
    resume: (contractId: string, ask: Ask) => path.run(contractId, { type: 'ResumeContract', data: { now: now() } }, ask),
    terminate: (contractId: string, input: unknown, ask: Ask) =>
      path.run(contractId, { type: 'TerminateContract', data: { ...withReason(input), now: now() } }, ask),
    expire: (contractId: string, ask: Ask) => path.run(contractId, { type: 'ExpireContract', data: { now: now() } }, ask),
  };
};

export type ContractCommands = ReturnType<typeof createContractCommands>;
