import { compareInstants, ConflictError, NotFoundError, ValidationError } from '../shared/index.js';
import type { ContractCommand } from './commands.js';
import type { ContractEvent } from './events.js';
import type { ContractState, ContractStatus, ContractTerms } from './state.js';

type Transition = 'activate' | 'suspend' | 'resume' | 'terminate' | 'expire';

/** DRAFT → ACTIVE ⇄ SUSPENDED; DRAFT | ACTIVE | SUSPENDED → TERMINATED; ACTIVE | SUSPENDED → EXPIRED. */
export const CONTRACT_TRANSITIONS: Readonly<Record<ContractStatus, readonly Transition[]>> = {
  DRAFT: ['activate', 'terminate'],
  ACTIVE: ['suspend', 'terminate', 'expire'],
  SUSPENDED: ['resume', 'terminate', 'expire'],
  TERMINATED: [],
  EXPIRED: [],
};

/** Asking for the state a contract is already in changes nothing. */
const ALREADY: Readonly<Record<Transition, ContractStatus>> = {
  activate: 'ACTIVE',
  suspend: 'SUSPENDED',
  resume: 'ACTIVE',
  terminate: 'TERMINATED',
  expire: 'EXPIRED',
};

const checkTerms = (terms: ContractTerms): void => {
  if (terms.title.trim() === '') throw new ValidationError('contract.invalid', 'title must not be empty', { field: 'title' });
  if (terms.endsAt !== undefined && compareInstants(terms.endsAt, terms.startsAt) <= 0) {
    throw new ValidationError('contract.invalid', 'endsAt must be after startsAt', { field: 'endsAt' });
  }
};

const sameTerms = (a: ContractTerms, b: ContractTerms) =>
  a.customerId === b.customerId && a.title === b.title && a.terms === b.terms && a.startsAt === b.startsAt && a.endsAt === b.endsAt;

export const decideContract = (command: ContractCommand, state: ContractState): ContractEvent[] => {
  if (command.type === 'CreateContract') {
    const { now, contractId, ...terms } = command.data;
    if (state.status !== 'NONE') {
      if (state.contractId === contractId && sameTerms(state, terms)) return [];
      throw new ConflictError('contract.already_exists', `contract ${state.contractId} already exists`);
    }
    checkTerms(terms);
    return [{ type: 'ContractCreated', data: { contractId, ...terms, createdAt: now } }];
  }
  if (state.status === 'NONE') throw new NotFoundError('contract.not_found', 'the contract does not exist');
  const transition = ({
    ActivateContract: 'activate',
    SuspendContract: 'suspend',
    ResumeContract: 'resume',
    TerminateContract: 'terminate',
    ExpireContract: 'expire',
  } as const)[command.type];
  if (state.status === ALREADY[transition]) return [];
  const allowed = CONTRACT_TRANSITIONS[state.status];
  if (!allowed.includes(transition)) {
    throw new ConflictError('contract.invalid_transition', `a ${state.status} contract cannot ${transition}`, {
      status: state.status,
      allowedTransitions: allowed,
    });
  }
  const { contractId } = state;
  switch (command.type) {
    case 'ActivateContract':
      return [{ type: 'ContractActivated', data: { contractId, activatedAt: command.data.now } }];
    case 'SuspendContract': {
      const { reason, now } = command.data;
      return [{ type: 'ContractSuspended', data: { contractId, ...(reason !== undefined && { reason }), suspendedAt: now } }];
    }
    case 'ResumeContract':
      return [{ type: 'ContractResumed', data: { contractId, resumedAt: command.data.now } }];
    case 'TerminateContract': {
      const { reason, now } = command.data;
      return [{ type: 'ContractTerminated', data: { contractId, ...(reason !== undefined && { reason }), terminatedAt: now } }];
    }
    case 'ExpireContract':
      if (state.endsAt === undefined || compareInstants(command.data.now, state.endsAt) < 0) {
        throw new ConflictError('contract.not_ended', `the contract runs until ${state.endsAt ?? 'further notice'}`, {
          status: state.status,
          endsAt: state.endsAt ?? null,
        });
      }
      // It takes effect at its end, however late the scheduler notices: nothing after endsAt is billed under it.
      return [{ type: 'ContractExpired', data: { contractId, expiredAt: state.endsAt } }];
  }
  const _exhaustive: never = command;
  return _exhaustive;
};
