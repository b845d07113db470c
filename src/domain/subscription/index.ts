import type { Decider } from '../shared/index.js';
import type { SubscriptionCommand } from './commands.js';
import { decideSubscription } from './decide.js';
import type { SubscriptionEvent } from './events.js';
import { evolveSubscription } from './evolve.js';
import { initialSubscriptionState, type SubscriptionState } from './state.js';

export type * from './commands.js';
export type * from './events.js';
export {
  SUBSCRIPTION_STATUSES,
  type ExistingSubscription,
  type PauseCause,
  type PlanPrice,
  type SubscriptionState,
  type SubscriptionStatus,
} from './state.js';
export { SUBSCRIPTION_TRANSITIONS } from './decide.js';
export { periodAt } from './period.js';

export const subscriptionStreamName = (subscriptionId: string): string => `subscription-${subscriptionId}`;

export const subscriptionDecider: Decider<SubscriptionState, SubscriptionCommand, SubscriptionEvent> = {
  decide: decideSubscription,
  evolve: evolveSubscription,
  initialState: initialSubscriptionState,
};
