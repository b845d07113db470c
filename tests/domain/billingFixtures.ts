import type { BillingEvent } from '../../src/domain/billing/index.js';
import {
  subscriptionDecider,
  type ContractAtCommand,
  type PlanAtCommand,
  type SubscriptionCommand,
  type SubscriptionState,
} from '../../src/domain/subscription/index.js';

export const CONTRACT: ContractAtCommand = { contractId: 'ctr_1', customerId: 'cus_1', status: 'ACTIVE' };

export const plan = (overrides: Partial<PlanAtCommand> = {}): PlanAtCommand => ({
  planId: 'pln_basic',
  status: 'active',
  pricingModel: 'per_unit',
  amount: 1_000,
  currency: 'usd',
  interval: 'month',
  intervalCount: 1,
  trialDays: 0,
  ...overrides,
});

type Step = Readonly<{ at: string; command: (at: string) => SubscriptionCommand }>;

/**
 * A subscription's stream, written by the real decider: each step's command at
 * its instant, with event ids e1, e2, … as the store would give them.
 */
const write = (skipRefusals: boolean, created: { at: string; plan?: PlanAtCommand; quantity?: number }, steps: readonly Step[]): BillingEvent[] => {
  let state: SubscriptionState = subscriptionDecider.initialState();
  const events: BillingEvent[] = [];
  const run = (command: SubscriptionCommand) => {
    let decided;
    try {
      decided = subscriptionDecider.decide(command, state);
    } catch (err) {
      if (skipRefusals) return;
      throw err;
    }
    for (const event of decided) {
      state = subscriptionDecider.evolve(state, event);
      events.push({ eventId: `e${events.length + 1}`, event });
    }
  };
  run({
    type: 'CreateSubscription',
    data: { subscriptionId: 'sub_1', contract: CONTRACT, plan: created.plan ?? plan(), quantity: created.quantity ?? 1, now: created.at },
  });
  for (const step of steps) run(step.command(step.at));
  return events;
};

export const stream = (created: { at: string; plan?: PlanAtCommand; quantity?: number }, ...steps: Step[]) => write(false, created, steps);
/** The same, leaving out the steps the decider refuses (as the API would refuse them). */
export const streamSkippingRefusals = (created: { at: string; plan?: PlanAtCommand; quantity?: number }, ...steps: Step[]) =>
  write(true, created, steps);

export const changePlan = (at: string, to: PlanAtCommand): Step => ({ at, command: (now) => ({ type: 'ChangePlan', data: { plan: to, now } }) });
export const changeQuantity = (at: string, quantity: number): Step => ({
  at,
  command: (now) => ({ type: 'ChangeQuantity', data: { quantity, now } }),
});
export const pause = (at: string, by: 'request' | 'contract' = 'request'): Step => ({ at, command: (now) => ({ type: 'PauseSubscription', data: { by, now } }) });
export const resume = (at: string): Step => ({ at, command: (now) => ({ type: 'ResumeSubscription', data: { contract: CONTRACT, now } }) });
export const cancel = (at: string, options: { atPeriodEnd?: boolean; prorate?: boolean } = {}): Step => ({
  at,
  command: (now) => ({ type: 'CancelSubscription', data: { atPeriodEnd: options.atPeriodEnd ?? false, ...(options.prorate !== undefined && { prorate: options.prorate }), now } }),
});
export const expire = (at: string): Step => ({ at, command: (now) => ({ type: 'ExpireSubscription', data: { now } }) });
