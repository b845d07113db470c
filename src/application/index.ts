import type { Clock } from '../clock/index.js';
import type { EventStore } from '../eventstore/index.js';
import { createContractCommands } from './contract/index.js';
import { createCustomerCommands, type UserExists } from './customer/index.js';
import { createPlanCommands } from './plan/index.js';
import { createSubscriptionCommands } from './subscription/index.js';
import { createTaxRateCommands } from './taxRate/index.js';
import { createCouponCommands } from './coupon/index.js';

export type CommerceDeps = Readonly<{ store: EventStore; clock: Clock; userExists: UserExists }>;

/**
 * The commands on customers, plans, contracts and subscriptions, assembled
 * for those that send all four: the API, the CLI and `simulate`. Each
 * feature's commands are in its own folder (application/<feature>).
 */
export const createCommerce = (deps: CommerceDeps) => ({
  customers: createCustomerCommands(deps),
  plans: createPlanCommands(deps),
  contracts: createContractCommands(deps),
  subscriptions: createSubscriptionCommands(deps),
  taxRates: createTaxRateCommands(deps),
  coupons: createCouponCommands(deps),
});

export type Commerce = ReturnType<typeof createCommerce>;
