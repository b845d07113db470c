import { describe, expect, it } from 'vitest';
import {
  contractDecider,
  CONTRACT_STATUSES,
  type ContractCommand,
  type ContractEvent,
  type ContractStatus,
} from '../../src/domain/contract/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/domain/shared/index.js';
import { deciderSpec } from '../support/deciderSpec.js';

const NOW = '2026-03-01T09:00:00.000Z';
const LATER = '2026-06-01T09:00:00.000Z';
const END = '2026-05-01T00:00:00.000Z';
const spec = deciderSpec(contractDecider);
const contractId = 'ctr_1';
const terms = { customerId: 'cus_1', title: 'Hosting 2026', startsAt: NOW, endsAt: END };

const created: ContractEvent = { type: 'ContractCreated', data: { contractId, ...terms, createdAt: NOW } };
const activated: ContractEvent = { type: 'ContractActivated', data: { contractId, activatedAt: NOW } };
const suspended: ContractEvent = { type: 'ContractSuspended', data: { contractId, suspendedAt: NOW } };
const terminated: ContractEvent = { type: 'ContractTerminated', data: { contractId, terminatedAt: NOW } };
const expired: ContractEvent = { type: 'ContractExpired', data: { contractId, expiredAt: LATER } };

/** Events that bring a contract into each status. */
const history: Record<ContractStatus, ContractEvent[]> = {
  DRAFT: [created],
  ACTIVE: [created, activated],
  SUSPENDED: [created, activated, suspended],
  TERMINATED: [created, terminated],
  EXPIRED: [created, activated, expired],
};

const commands: Record<string, ContractCommand> = {
  activate: { type: 'ActivateContract', data: { now: LATER } },
  suspend: { type: 'SuspendContract', data: { now: LATER } },
  resume: { type: 'ResumeContract', data: { now: LATER } },
  terminate: { type: 'TerminateContract', data: { now: LATER } },
  expire: { type: 'ExpireContract', data: { now: LATER } },
};
const results: Record<string, ContractEvent> = {
  activate: { type: 'ContractActivated', data: { contractId, activatedAt: LATER } },
  suspend: { type: 'ContractSuspended', data: { contractId, suspendedAt: LATER } },
  resume: { type: 'ContractResumed', data: { contractId, resumedAt: LATER } },
  terminate: { type: 'ContractTerminated', data: { contractId, terminatedAt: LATER } },
  // In effect at the contract's end, not when the scheduler noticed.
  expire: { type: 'ContractExpired', data: { contractId, expiredAt: END } },
};

/** The spec's state machine, written out independently of the decider's table. */
const legal: Record<ContractStatus, string[]> = {
  DRAFT: ['activate', 'terminate'],
  ACTIVE: ['suspend', 'terminate', 'expire'],
  SUSPENDED: ['resume', 'terminate', 'expire'],
  TERMINATED: [],
  EXPIRED: [],
};
const noOp: Record<string, ContractStatus> = { activate: 'ACTIVE', suspend: 'SUSPENDED', resume: 'ACTIVE', terminate: 'TERMINATED', expire: 'EXPIRED' };

describe('Contract, every command in every status', () => {
  for (const status of CONTRACT_STATUSES) {
    for (const [name, command] of Object.entries(commands)) {
      const outcome = legal[status].includes(name) ? 'legal' : noOp[name] === status ? 'no-op' : 'illegal';
      it(`${status} + ${name}: ${outcome}`, () => {
        if (outcome === 'legal') spec.given(history[status]).when(command).then([results[name]!]);
        else if (outcome === 'no-op') spec.given(history[status]).when(command).then([]);
        else spec.given(history[status]).when(command).then({ error: ConflictError, reason: 'contract.invalid_transition' });
      });
    }
  }

  it('names the status and the allowed transitions when it refuses', () => {
    const state = history.DRAFT.reduce(contractDecider.evolve, contractDecider.initialState());
    expect(() => contractDecider.decide(commands.suspend!, state)).toThrow(
      expect.objectContaining({ details: { status: 'DRAFT', allowedTransitions: ['activate', 'terminate'] } }),
    );
  });
});

describe('Contract', () => {
  it('is created in DRAFT, and creating it again is a no-op', () => {
    spec.given([]).when({ type: 'CreateContract', data: { contractId, ...terms, now: NOW } }).then([created]);
    spec.given([created]).when({ type: 'CreateContract', data: { contractId, ...terms, now: LATER } }).then([]);
    spec
      .given([created])
      .when({ type: 'CreateContract', data: { contractId, ...terms, title: 'Other', now: LATER } })
      .then({ error: ConflictError, reason: 'contract.already_exists' });
  });

  it('refuses an empty title and an end before its start, compared as instants', () => {
    spec.given([]).when({ type: 'CreateContract', data: { contractId, ...terms, title: ' ', now: NOW } }).then({ error: ValidationError });
    spec
      .given([])
      .when({ type: 'CreateContract', data: { contractId, ...terms, startsAt: '2026-03-01T10:00:00+05:00', endsAt: '2026-03-01T06:00:00Z', now: NOW } })
      .then([{ type: 'ContractCreated', data: { contractId, ...terms, startsAt: '2026-03-01T10:00:00+05:00', endsAt: '2026-03-01T06:00:00Z', createdAt: NOW } }]);
    spec
      .given([])
      .when({ type: 'CreateContract', data: { contractId, ...terms, endsAt: NOW, now: NOW } })
      .then({ error: ValidationError, reason: 'contract.invalid' });
  });

  it('expires only once its end has passed, and never without an end', () => {
    spec
      .given(history.ACTIVE)
      .when({ type: 'ExpireContract', data: { now: '2026-04-30T23:59:59.999Z' } })
      .then({ error: ConflictError, reason: 'contract.not_ended' });
    spec.given(history.ACTIVE).when({ type: 'ExpireContract', data: { now: END } }).then([
      { type: 'ContractExpired', data: { contractId, expiredAt: END } },
    ]);
    const openEnded: ContractEvent = { type: 'ContractCreated', data: { contractId, customerId: 'cus_1', title: 'T', startsAt: NOW, createdAt: NOW } };
    spec.given([openEnded, activated]).when(commands.expire!).then({ error: ConflictError, reason: 'contract.not_ended' });
  });

  it('keeps a suspension or termination reason', () => {
    spec.given(history.ACTIVE).when({ type: 'SuspendContract', data: { reason: 'unpaid', now: LATER } }).then([
      { type: 'ContractSuspended', data: { contractId, reason: 'unpaid', suspendedAt: LATER } },
    ]);
  });

  it('refuses every change to a contract that does not exist', () => {
    for (const command of Object.values(commands)) spec.given([]).when(command).then({ error: NotFoundError, reason: 'contract.not_found' });
  });

  it('folds to its current status, with the end of an ended contract', () => {
    const state = history.EXPIRED.reduce(contractDecider.evolve, contractDecider.initialState());
    expect(state).toMatchObject({ status: 'EXPIRED', endedAt: LATER, updatedAt: LATER, customerId: 'cus_1' });
    const resumed = [...history.SUSPENDED, results.resume!].reduce(contractDecider.evolve, contractDecider.initialState());
    expect(resumed).toMatchObject({ status: 'ACTIVE', updatedAt: LATER });
    expect(resumed).not.toHaveProperty('endedAt');
  });
});
