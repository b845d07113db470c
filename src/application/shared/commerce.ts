import { type Clock } from '../../clock/index.js';
import type { EventStore } from '../../eventstore/index.js';
import { createContractCommands } from '../contract/commands.js';
import { createCustomerCommands, type UserExists } from '../customer/commands.js';
import { createPlanCommands } from '../plan/commands.js';
import { createSubscriptionCommands } from '../subscription/commands.js';

export { customers, customerExists, type CustomerCommands, type UserExists } from '../customer/commands.js';
export { plans, planExists, type PlanCommands } from '../plan/commands.js';
export { contracts, contractExists, type ContractCommands } from '../contract/commands.js';
export { subscriptions, subscriptionExists, contractAtCommand, planAtCommand, type SubscriptionCommands } from '../subscription/commands.js';
export { stateAt, commandPath, type Ask, type Aggregate, type PointInTime } from './streams.js';
export * from './schemas.js';

export type CommerceDeps = Readonly<{ store: EventStore; clock: Clock; userExists: UserExists }>;

/** The commands on customers, plans, contracts and subscriptions, for the API and the CLI alike. */
export const createCommerce = (deps: CommerceDeps) => ({
  customers: createCustomerCommands(deps),
  plans: createPlanCommands(deps),
  contracts: createContractCommands(deps),
  subscriptions: createSubscriptionCommands(deps),
});

export type Commerce = ReturnType<typeof createCommerce>;

/** Whether `userId` owns the customer, on the customer's own stream: what a USER may see or touch hangs on it. */
export const ownsCustomer = async (commerce: Commerce, userId: string, customerId: string): Promise<boolean> => {
  const { state } = await commerce.customers.current(customerId);
  return state.status === 'registered' && state.ownerUserId === userId;
};
export { presentCustomer, presentPlan, presentContract, presentSubscription, presentInvoice } from './present.js';
