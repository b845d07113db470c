import { cancelInput, changePlanInput, changeQuantityInput, subscriptionInput } from './schemas.js';
import { type Clock } from '../../clock/index.js';
import type { z } from 'zod';
import { newId } from '../shared/index.js';
import type { ContractState } from '../../domain/contract/index.js';
import type { PlanState } from '../../domain/plan/index.js';
import {
  subscriptionDecider,
  subscriptionStreamName,
  type ContractAtCommand,
  type PlanAtCommand,
  type SubscriptionCommand,
  type SubscriptionEvent,
  type SubscriptionState,
} from '../../domain/subscription/index.js';
import type { EventStore } from '../../eventstore/index.js';
import { contracts } from '../contract/index.js';
import { plans } from '../plan/index.js';
import { parseInput } from '../shared/index.js';
import { commandPath, type Aggregate, type Ask } from '../shared/index.js';
import { couponChoice, redeemOn, redemptionIdFor } from '../coupon/index.js';

export const subscriptionExists = (s: SubscriptionState): s is Exclude<SubscriptionState, { status: 'NONE' }> => s.status !== 'NONE';

export const subscriptions: Aggregate<SubscriptionState, SubscriptionCommand, SubscriptionEvent> = {
  decider: subscriptionDecider,
  streamOf: subscriptionStreamName,
};

/** A contract as a subscription command sees it; a missing contract is status NONE and the decider refuses it. */
export const contractAtCommand = (contractId: string, state: ContractState): ContractAtCommand =>
  state.status === 'NONE'
    ? { contractId, customerId: '', status: 'NONE' }
    : {
        contractId,
        customerId: state.customerId,
        status: state.status,
        startsAt: state.startsAt,
        ...(state.endsAt !== undefined && { endsAt: state.endsAt }),
      };

export const planAtCommand = (planId: string, state: PlanState): PlanAtCommand =>
  state.status === 'none'
    ? { planId, status: 'none', pricingModel: 'flat_rate', amount: 0, currency: '', interval: 'month', intervalCount: 1, trialDays: 0 }
    : {
        planId,
        status: state.status,
        pricingModel: state.pricingModel,
        amount: state.amount,
        currency: state.currency,
        interval: state.interval,
        intervalCount: state.intervalCount,
        trialDays: state.trialDays,
      };

/**
 * Subscription commands. The contract and the plan are read from their
 * streams when the command is issued, never from a read model, and handed to
 * the decider to judge. A contract suspended between that read and the
 * subscription's append is caught by the contract cascades, which see both
 * events in the order they were written.
 */
export const createSubscriptionCommands = (deps: Readonly<{ store: EventStore; clock: Clock }>) => {
  const path = commandPath(deps.store, deps.clock, subscriptions);
  const contractPath = commandPath(deps.store, deps.clock, contracts);
  const planPath = commandPath(deps.store, deps.clock, plans);
  const now = () => deps.clock.now().toISOString();
  const contractOf = async (contractId: string) => contractAtCommand(contractId, (await contractPath.current(contractId)).state);
  const planOf = async (planId: string) => planAtCommand(planId, (await planPath.current(planId)).state);

  return {
    current: path.current,

    create: async (input: z.input<typeof subscriptionInput>, ask: Ask) => {
      const valid = parseInput(subscriptionInput, input, 'subscription.invalid');
      const [contract, plan] = await Promise.all([contractOf(valid.contractId), planOf(valid.planId)]);
      const subscriptionId = newId('sub');
      const command: SubscriptionCommand = {
        type: 'CreateSubscription',
        data: { subscriptionId, contract, plan, quantity: valid.quantity ?? 1, now: now() },
      };
      return path.run(subscriptionId, command, ask, true);
    },

    pause: (id: string, ask: Ask) => path.run(id, { type: 'PauseSubscription', data: { by: 'request', now: now() } }, ask),

    resume: async (id: string, ask: Ask) => {
      const { state } = await path.current(id);
      // An unknown subscription has no contract to read; the decider answers not_found.
      const contract = state.status === 'NONE' ? contractAtCommand('', { status: 'NONE' }) : await contractOf(state.contractId);
      return path.run(id, { type: 'ResumeSubscription', data: { contract, now: now() } }, ask);
    },

    changePlan: async (id: string, input: z.input<typeof changePlanInput>, ask: Ask) => {
      const valid = parseInput(changePlanInput, input, 'subscription.invalid');
      return path.run(id, { type: 'ChangePlan', data: { plan: await planOf(valid.planId), now: now() } }, ask);
    },

    changeQuantity: (id: string, input: z.input<typeof changeQuantityInput>, ask: Ask) => {
      const valid = parseInput(changeQuantityInput, input, 'subscription.invalid');
      return path.run(id, { type: 'ChangeQuantity', data: { ...valid, now: now() } }, ask);
    },

    cancel: (id: string, input: z.input<typeof cancelInput>, ask: Ask) => {
      const valid = parseInput(cancelInput, input ?? {}, 'subscription.invalid');
      return path.run(id, { type: 'CancelSubscription', data: { ...valid, now: now() } }, ask);
    },

    reactivate: (id: string, ask: Ask) => path.run(id, { type: 'ReactivateSubscription', data: { now: now() } }, ask),

    expire: (id: string, ask: Ask) => path.run(id, { type: 'ExpireSubscription', data: { now: now() } }, ask),

    /**
     * A coupon redeemed on the subscription: its discount, before its
     * customer's, on the subscription's invoices. The subscription judges it
     * first (it exists, has not ended, holds no other coupon's), so a refusal
     * takes no place on the coupon; the decider reads only the discount's ids,
     * not its terms, which the redemption gives. A refusal after the
     * redemption gives back only a place this call took (redeemOn).
     */
    applyCoupon: async (id: string, input: z.input<typeof couponChoice>, ask: Ask) => {
      const { couponId } = parseInput(couponChoice, input, 'subscription.invalid');
      const target = { kind: 'subscription', id } as const;
      const instant = deps.clock.now();
      const at = instant.toISOString();
      const { state } = await path.current(id);
      subscriptionDecider.decide({ type: 'ApplySubscriptionDiscount', data: { discount: { couponId, redemptionId: redemptionIdFor(couponId, target), duration: 'once' }, now: at } }, state);
      return redeemOn(
        { store: deps.store, now: instant },
        couponId,
        target,
        ask,
        (discount) => path.run(id, { type: 'ApplySubscriptionDiscount', data: { discount, now: at } }, ask),
        async (redemptionId) => {
          const current = (await path.current(id)).state;
          return current.status !== 'NONE' && current.discount?.redemptionId === redemptionId;
        },
      );
    },

    /** The discount taken off; its redemption still counts on the coupon. */
    removeDiscount: (id: string, ask: Ask) => path.run(id, { type: 'RemoveSubscriptionDiscount', data: { now: now() } }, ask),
  };
};

export type SubscriptionCommands = ReturnType<typeof createSubscriptionCommands>;
