import { compareInstants, ConflictError, ValidationError } from '../shared/index.js';
import type { ContractAtCommand, PlanAtCommand } from './commands.js';
import type { PlanPrice } from './state.js';

/** The price a subscription copies from the plan it reads. */
export const priceOf = ({ planId, pricingModel, amount, currency, interval, intervalCount }: PlanAtCommand): PlanPrice => ({
  planId,
  pricingModel,
  amount,
  currency,
  interval,
  intervalCount,
});

export const checkQuantity = (plan: PlanPrice, quantity: number): void => {
  if (!Number.isSafeInteger(quantity) || quantity < 1) {
    throw new ValidationError('subscription.invalid', 'quantity must be a whole number ≥ 1', { field: 'quantity' });
  }
  if (plan.pricingModel === 'flat_rate' && quantity !== 1) {
    throw new ValidationError('subscription.invalid', 'a flat-rate plan has quantity 1', { field: 'quantity' });
  }
  if (!Number.isSafeInteger(plan.amount * quantity)) {
    throw new ValidationError('subscription.invalid', 'amount × quantity is beyond a safe integer of minor units', { field: 'quantity' });
  }
};

export const checkPlan = (plan: PlanAtCommand): void => {
  if (plan.status === 'none') throw new ValidationError('subscription.plan_not_found', `plan ${plan.planId} does not exist`, { field: 'planId' });
  if (plan.status !== 'active') {
    throw new ConflictError('subscription.plan_not_active', `plan ${plan.planId} is archived`, { planStatus: plan.status });
  }
};

export const checkContract = (contract: ContractAtCommand): void => {
  if (contract.status === 'NONE') {
    throw new ValidationError('subscription.contract_not_found', `contract ${contract.contractId} does not exist`, { field: 'contractId' });
  }
  if (contract.status !== 'ACTIVE') {
    throw new ConflictError('subscription.contract_not_active', `contract ${contract.contractId} is ${contract.status}`, {
      contractStatus: contract.status,
    });
  }
};

/**
 * A new subscription starts now, so its contract must be in force now: not
 * before it starts (the subscription would bill for time the contract does not
 * cover) and not once it has ended, even before the scheduler expires it.
 */
export const checkContractInForce = (contract: ContractAtCommand, now: string): void => {
  const early = contract.startsAt !== undefined && compareInstants(now, contract.startsAt) < 0;
  const late = contract.endsAt !== undefined && compareInstants(now, contract.endsAt) >= 0;
  if (early || late) {
    throw new ConflictError('subscription.contract_not_in_force', `contract ${contract.contractId} is in force from ${contract.startsAt ?? 'its start'} to ${contract.endsAt ?? 'further notice'}`, {
      startsAt: contract.startsAt ?? null,
      endsAt: contract.endsAt ?? null,
    });
  }
};
