import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { sql, type Kysely } from 'kysely';
import { contractDecider, contractStreamName, type ContractCommand } from '../../src/domain/contract/index.js';
import { planDecider, planStreamName } from '../../src/domain/plan/index.js';
import {
  subscriptionDecider,
  subscriptionStreamName,
  type ContractAtCommand,
  type ExistingSubscription,
  type PlanAtCommand,
  type SubscriptionCommand,
} from '../../src/domain/subscription/index.js';
import { foldStream, handleCommand, type EventStore, type RecordedEvent } from '../../src/eventstore/index.js';

/** Fixed domain time: every command of the cascade tests happens at one of these instants. */
export const AT = {
  start: '2026-03-01T09:00:00.000Z',
  created: '2026-03-02T09:00:00.000Z',
  customer: '2026-03-03T09:00:00.000Z',
  suspend: '2026-03-10T09:00:00.000Z',
  lateCreate: '2026-03-11T09:00:00.000Z',
  resume: '2026-03-20T09:00:00.000Z',
  customerAgain: '2026-03-21T09:00:00.000Z',
  end: '2026-06-01T00:00:00.000Z',
} as const;

const context = (at: string) => ({ correlationId: randomUUID(), actor: { id: 'usr_test' }, source: 'api', occurredAt: new Date(at) });
const short = () => randomUUID().slice(0, 8);

/** Plans, contracts and subscriptions written through the deciders, as the application would. */
export const billing = (store: EventStore) => {
  const plan = async (trialDays: number): Promise<string> => {
    const planId = `pln_${short()}`;
    const terms = { name: 'Basic', pricingModel: 'flat_rate', amount: 1_000, currency: 'eur', interval: 'month', intervalCount: 1, trialDays } as const;
    await handleCommand(store, planStreamName(planId), planDecider, { type: 'CreatePlan', data: { planId, ...terms, now: AT.start } }, context(AT.start));
    return planId;
  };

  const contractCommand = (contractId: string, command: ContractCommand) =>
    handleCommand(store, contractStreamName(contractId), contractDecider, command, context(command.data.now));

  /** A contract created and activated at AT.start. */
  const contract = async (endsAt?: string): Promise<string> => {
    const contractId = `ctr_${short()}`;
    const terms = { customerId: `cus_${short()}`, title: 'Frame agreement', startsAt: AT.start, ...(endsAt && { endsAt }) };
    await contractCommand(contractId, { type: 'CreateContract', data: { contractId, ...terms, now: AT.start } });
    await contractCommand(contractId, { type: 'ActivateContract', data: { now: AT.start } });
    return contractId;
  };

  const contractAtCommand = async (contractId: string): Promise<ContractAtCommand> => {
    const { state } = await foldStream(store, contractStreamName(contractId), contractDecider);
    if (state.status === 'NONE') return { contractId, customerId: '', status: 'NONE' };
    return { contractId, customerId: state.customerId, status: state.status };
  };

  const planAtCommand = async (planId: string): Promise<PlanAtCommand> => {
    const { state } = await foldStream(store, planStreamName(planId), planDecider);
    if (state.status === 'none') throw new Error(`no plan ${planId}`);
    const { pricingModel, amount, currency, interval, intervalCount, trialDays, status } = state;
    return { planId, pricingModel, amount, currency, interval, intervalCount, trialDays, status };
  };

  const subscriptionCommand = (subscriptionId: string, command: SubscriptionCommand) =>
    handleCommand(store, subscriptionStreamName(subscriptionId), subscriptionDecider, command, context(command.data.now));

  /** `stale` stands for what a racing command read before the contract changed. */
  const subscribe = async (contractId: string, planId: string, options: { at?: string; stale?: ContractAtCommand } = {}): Promise<string> => {
    const subscriptionId = `sub_${short()}`;
    const now = options.at ?? AT.created;
    const contract = options.stale ?? (await contractAtCommand(contractId));
    const plan = await planAtCommand(planId);
    await subscriptionCommand(subscriptionId, { type: 'CreateSubscription', data: { subscriptionId, contract, plan, quantity: 1, now } });
    return subscriptionId;
  };

  const subscribeMany = (contractId: string, planId: string, count: number): Promise<string[]> => {
    const limit = pLimit(8);
    return Promise.all(Array.from({ length: count }, () => limit(() => subscribe(contractId, planId))));
  };

  const subscription = async (subscriptionId: string): Promise<ExistingSubscription> => {
    const { state } = await foldStream(store, subscriptionStreamName(subscriptionId), subscriptionDecider);
    if (state.status === 'NONE') throw new Error(`no subscription ${subscriptionId}`);
    return state;
  };

  const events = (subscriptionId: string): Promise<RecordedEvent[]> => store.readStream(subscriptionStreamName(subscriptionId));

  return { plan, contract, contractCommand, contractAtCommand, subscribe, subscribeMany, subscriptionCommand, subscription, events };
};

export const countEvents = async (db: Kysely<any>, type?: string): Promise<number> => {
  const { rows } = await sql<{ n: string }>`select count(*) as n from es.events where ${type === undefined ? sql`true` : sql`type = ${type}`}`.execute(db);
  return Number(rows[0]!.n);
};

/** How many of these subscriptions have a SubscriptionPaused event. */
export const countPaused = async (db: Kysely<any>, subscriptionIds: readonly string[]): Promise<number> => {
  const { rows } = await sql<{ n: string }>`select count(*) as n from es.events
    where type = 'SubscriptionPaused' and stream_name = any(${subscriptionIds.map(subscriptionStreamName)}::text[])`.execute(db);
  return Number(rows[0]!.n);
};
