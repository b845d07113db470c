import type { Clock } from '../domain/shared/index.js';
import type { EventStore } from '../eventstore/index.js';
import { createContractCommands } from './contracts.js';
import { createCustomerCommands, type UserExists } from './customers.js';
import { createPlanCommands } from './plans.js';
import { createSubscriptionCommands } from './subscriptions.js';

export { customers, customerExists, type CustomerCommands, type UserExists } from './customers.js';
export { plans, planExists, type PlanCommands } from './plans.js';
export { contracts, contractExists, type ContractCommands } from './contracts.js';
export { subscriptions, subscriptionExists, contractAtCommand, planAtCommand, type SubscriptionCommands } from './subscriptions.js';
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
