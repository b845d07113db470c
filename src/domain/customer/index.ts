import type { Decider } from '../shared/index.js';
import type { CustomerCommand } from './commands.js';
import { decideCustomer } from './decide.js';
import type { CustomerEvent } from './events.js';
import { evolveCustomer } from './evolve.js';
import { initialCustomerState, type CustomerState } from './state.js';

export type * from './commands.js';
export type * from './events.js';
export type { CustomerState, CustomerProfile, Discount } from './state.js';
export { discountOf } from './state.js';

export const customerStreamName = (customerId: string): string => `customer-${customerId}`;

export const customerDecider: Decider<CustomerState, CustomerCommand, CustomerEvent> = {
  decide: decideCustomer,
  evolve: evolveCustomer,
  initialState: initialCustomerState,
};
