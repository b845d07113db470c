import { contractDecider, contractStreamName, type ContractCommand } from '../../src/domain/contract/index.js';
import { customerDecider, customerStreamName, type CustomerCommand } from '../../src/domain/customer/index.js';
import { planDecider, planStreamName, type PlanCommand } from '../../src/domain/plan/index.js';
import type { Actor, Command, Decider, Event } from '../../src/domain/shared/index.js';
import {
  subscriptionDecider,
  subscriptionStreamName,
  type ContractAtCommand,
  type PlanAtCommand,
  type SubscriptionCommand,
} from '../../src/domain/subscription/index.js';
import { foldStream, handleCommand, type EventStore, type Position } from '../../src/eventstore/index.js';

/** UUIDv7-like hex ids: the number orders them as creation would. */
export const id = (prefix: 'cus' | 'pln' | 'ctr' | 'sub', n: number): string =>
  `${prefix}_019c2f6a00007000800000000000${n.toString(16).padStart(4, '0')}`;

export const CUS = [1, 2, 3, 4].map((n) => id('cus', n)) as [string, string, string, string];
export const PLN = [1, 2, 3, 4].map((n) => id('pln', n)) as [string, string, string, string];
export const CTR = [1, 2, 3, 4, 5, 6].map((n) => id('ctr', n)) as [string, string, string, string, string, string];
export const SUB = [1, 2, 3, 4, 5, 6].map((n) => id('sub', n)) as [string, string, string, string, string, string];
export const ANN = 'usr_ann';
export const BEN = 'usr_ben';

const operator: Actor = { id: 'usr_ops', role: 'ADMIN' };
/** An instant in 2026: at('03-01', 9) is 2026-03-01T09:00:00.000Z. */
export const at = (monthDay: string, hour = 9): string => `2026-${monthDay}T${String(hour).padStart(2, '0')}:00:00.000Z`;

/**
 * Appends, through the deciders, the history the commerce read-model tests
 * read: every event type of customers, plans, contracts and subscriptions,
 * with fixed ids and instants. Returns the position of the last write.
 */
export const runCommerceScenario = async (store: EventStore): Promise<Position> => {
  let last: Position | undefined;
  const send = async <S, C extends Command, E extends Event>(stream: string, decider: Decider<S, C, E>, command: C) => {
    const now = (command.data as { now: string }).now;
    const result = await handleCommand(store, stream, decider, command, {
      correlationId: `corr-${stream}`,
      actor: operator,
      source: 'test',
      occurredAt: new Date(now),
    });
    last = result.position ?? last;
  };
  const customer = (n: number, command: CustomerCommand) => send(customerStreamName(CUS[n - 1]!), customerDecider, command);
  const plan = (n: number, command: PlanCommand) => send(planStreamName(PLN[n - 1]!), planDecider, command);
  const contract = (n: number, command: ContractCommand) => send(contractStreamName(CTR[n - 1]!), contractDecider, command);
  const subscription = (n: number, command: SubscriptionCommand) =>
    send(subscriptionStreamName(SUB[n - 1]!), subscriptionDecider, command);
  // What the application layer reads from the contract's and the plan's streams when it issues a command.
  const contractAt = async (n: number): Promise<ContractAtCommand> => {
    const { state } = await foldStream(store, contractStreamName(CTR[n - 1]!), contractDecider);
    return { contractId: CTR[n - 1]!, customerId: state.status === 'NONE' ? '' : state.customerId, status: state.status };
  };
  const planAt = async (n: number): Promise<PlanAtCommand> => {
    const { state } = await foldStream(store, planStreamName(PLN[n - 1]!), planDecider);
    if (state.status === 'none') throw new Error(`plan ${n} missing`);
    const { planId, pricingModel, amount, currency, interval, intervalCount, trialDays, status } = state;
    return { planId, pricingModel, amount, currency, interval, intervalCount, trialDays, status };
  };
  const create = async (n: number, contractN: number, planN: number, quantity: number, now: string) =>
    subscription(n, {
      type: 'CreateSubscription',
      data: { subscriptionId: SUB[n - 1]!, contract: await contractAt(contractN), plan: await planAt(planN), quantity, now },
    });

  const t0 = at('03-01');
  await customer(1, { type: 'RegisterCustomer', data: { customerId: CUS[0], name: 'Acme', email: 'billing@acme.test', ownerUserId: ANN, metadata: { tier: 'gold' }, now: t0 } });
  await customer(2, { type: 'RegisterCustomer', data: { customerId: CUS[1], name: 'Globex', email: 'ap@globex.test', ownerUserId: BEN, draftInvoices: true, now: t0 } });
  await customer(3, { type: 'RegisterCustomer', data: { customerId: CUS[2], name: 'Initech', email: 'pay@initech.test', ownerUserId: ANN, now: t0 } });
  await customer(4, { type: 'RegisterCustomer', data: { customerId: CUS[3], name: 'Hooli', email: 'ar@hooli.test', ownerUserId: ANN, now: t0 } });
  await plan(1, { type: 'CreatePlan', data: { planId: PLN[0], name: 'Starter', pricingModel: 'flat_rate', amount: 2900, currency: 'usd', interval: 'month', intervalCount: 1, trialDays: 0, now: t0 } });
  await plan(2, { type: 'CreatePlan', data: { planId: PLN[1], name: 'Seats', description: 'per seat', pricingModel: 'per_unit', amount: 1000, currency: 'usd', interval: 'month', intervalCount: 1, trialDays: 14, metadata: { family: 'seats' }, now: t0 } });
  await plan(3, { type: 'CreatePlan', data: { planId: PLN[2], name: 'Annual', description: 'once a year', pricingModel: 'flat_rate', amount: 29000, currency: 'usd', interval: 'year', intervalCount: 1, trialDays: 0, now: t0 } });
  await plan(4, { type: 'CreatePlan', data: { planId: PLN[3], name: 'Euro', pricingModel: 'flat_rate', amount: 2500, currency: 'eur', interval: 'month', intervalCount: 1, trialDays: 0, now: t0 } });
  const owners = [1, 2, 3, 1, 2, 1];
  for (const [i, owner] of owners.entries()) {
    const endsAt = i === 4 ? at('04-01', 0) : undefined;
    await contract(i + 1, { type: 'CreateContract', data: { contractId: CTR[i]!, customerId: CUS[owner - 1]!, title: `Contract ${i + 1}`, ...(i === 0 && { terms: 'net 30' }), startsAt: t0, ...(endsAt && { endsAt }), now: t0 } });
  }
  for (const n of [1, 2, 3, 5, 6]) await contract(n, { type: 'ActivateContract', data: { now: at('03-01', 10) } });
  await contract(4, { type: 'TerminateContract', data: { reason: 'never signed', now: at('03-01', 11) } });

  await create(1, 1, 1, 1, at('03-02'));
  await create(2, 2, 2, 3, at('03-02'));
  await create(3, 3, 1, 1, at('03-02'));
  await create(4, 2, 4, 1, at('03-02'));
  await create(5, 3, 3, 1, at('03-02'));
  await create(6, 1, 2, 2, at('03-02'));
  await plan(3, { type: 'UpdatePlan', data: { name: 'Annual (legacy)', description: null, now: at('03-03') } });
  await plan(3, { type: 'ArchivePlan', data: { now: at('03-03', 10) } });
  await customer(1, { type: 'UpdateCustomer', data: { name: 'Acme Ltd', metadata: null, now: at('03-03') } });
  await customer(1, { type: 'AttachPaymentMethod', data: { paymentMethod: 'pm_card_acme', now: at('03-03', 10) } });
  await customer(1, { type: 'GrantCredit', data: { amount: 5000, currency: 'usd', reason: 'welcome', now: at('03-04') } });
  await customer(1, { type: 'GrantCredit', data: { amount: 2000, currency: 'eur', reason: 'goodwill', now: at('03-04', 10) } });
  await subscription(6, { type: 'PauseSubscription', data: { by: 'contract', now: at('03-04') } });

  await subscription(1, { type: 'ChangePlan', data: { plan: await planAt(2), now: at('03-05') } });
  await subscription(1, { type: 'ChangeQuantity', data: { quantity: 5, now: at('03-05', 10) } });
  await subscription(3, { type: 'CancelSubscription', data: { atPeriodEnd: true, now: at('03-05') } });
  await subscription(1, { type: 'CancelSubscription', data: { atPeriodEnd: true, reason: 'too dear', now: at('03-06') } });
  await subscription(1, { type: 'ReactivateSubscription', data: { now: at('03-07') } });
  await subscription(1, { type: 'PauseSubscription', data: { by: 'request', now: at('03-08') } });
  await contract(1, { type: 'SuspendContract', data: { reason: 'audit', now: at('03-09') } });
  await contract(1, { type: 'ResumeContract', data: { now: at('03-09', 12) } });
  await subscription(1, { type: 'ResumeSubscription', data: { contract: await contractAt(1), now: at('03-10') } });
  await subscription(4, { type: 'ExpireSubscription', data: { reason: 'contract ended', now: at('03-12') } });
  await contract(6, { type: 'SuspendContract', data: { now: at('03-15') } });
  await subscription(2, { type: 'EndTrial', data: { now: at('03-16', 10) } });
  await subscription(2, { type: 'MarkPastDue', data: { invoiceId: 'inv_9', now: at('03-20') } });
  await subscription(5, { type: 'MarkPastDue', data: { invoiceId: 'inv_7', now: at('03-20') } });
  await subscription(5, { type: 'MarkPastDue', data: { invoiceId: 'inv_8', now: at('03-21') } });
  await subscription(2, { type: 'MarkRecovered', data: { invoiceId: 'inv_9', now: at('03-22') } });
  await subscription(5, { type: 'MarkRecovered', data: { invoiceId: 'inv_7', now: at('03-23') } });
  await subscription(2, { type: 'CancelSubscription', data: { atPeriodEnd: false, prorate: false, reason: 'closing', now: at('03-25') } });
  await customer(1, { type: 'ApplyCredit', data: { amount: 1200, currency: 'usd', invoiceId: 'inv_1', now: at('03-26') } });
  await customer(1, { type: 'GrantCredit', data: { amount: 300, currency: 'usd', reason: 'refund', now: at('03-27') } });
  await customer(3, { type: 'UpdateCustomer', data: { ownerUserId: BEN, draftInvoices: true, now: at('03-28') } });
  await customer(4, { type: 'UpdateCustomer', data: { ownerUserId: null, email: 'finance@hooli.test', now: at('03-28') } });
  await contract(5, { type: 'ExpireContract', data: { now: at('04-01') } });
  await subscription(3, { type: 'CancelSubscription', data: { atPeriodEnd: false, now: at('04-02', 10) } });
  return last!;
};
