import { creditInput, customerInput, customerPatch, paymentMethodInput } from './schemas.js';
import { type Clock } from '../../clock/index.js';
import type { z } from 'zod';
import { newId } from '../shared/index.js';
import { customerDecider, customerStreamName, type CustomerCommand, type CustomerEvent, type CustomerState } from '../../domain/customer/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/shared/index.js';
import type { EventStore } from '../../eventstore/index.js';
import { parseInput } from '../shared/index.js';
import { commandPath, type Aggregate, type Ask } from '../shared/index.js';
import { checkActiveTaxRate, taxRateChoice } from '../taxRate/index.js';
import { couponChoice, redeemOn } from '../coupon/index.js';

/** A customer that has been registered: what a read or an answer can present. */
export const customerExists = (s: CustomerState): s is Exclude<CustomerState, { status: 'none' }> => s.status !== 'none';

export const customers: Aggregate<CustomerState, CustomerCommand, CustomerEvent> = {
  decider: customerDecider,
  streamOf: customerStreamName,
};

/** Whether a user exists, from its own stream (the accounts feature answers). */
export type UserExists = (userId: string) => Promise<boolean>;

export type CustomerCommandsDeps = Readonly<{ store: EventStore; clock: Clock; userExists: UserExists }>;

/**
 * Customer commands. Everything is validated before the first write; an owner
 * must be a user that exists, checked on the user's stream.
 */
export const createCustomerCommands = (deps: CustomerCommandsDeps) => {
  const path = commandPath(deps.store, deps.clock, customers);
  const now = () => deps.clock.now().toISOString();

  const checkOwner = async (ownerUserId: string | null | undefined) => {
    if (ownerUserId && !(await deps.userExists(ownerUserId))) {
      throw new ValidationError('customer.owner_not_found', `user ${ownerUserId} does not exist`, {
        fields: [{ path: 'ownerUserId', message: 'no such user' }],
      });
    }
  };

  return {
    current: path.current,

    register: async (input: z.input<typeof customerInput>, ask: Ask) => {
      const valid = parseInput(customerInput, input, 'customer.invalid');
      await checkOwner(valid.ownerUserId);
      const customerId = newId('cus');
      return path.run(customerId, { type: 'RegisterCustomer', data: { customerId, ...valid, now: now() } }, ask, true);
    },

    update: async (customerId: string, input: z.input<typeof customerPatch>, ask: Ask) => {
      const valid = parseInput(customerPatch, input, 'customer.invalid');
      await checkOwner(valid.ownerUserId);
      return path.run(customerId, { type: 'UpdateCustomer', data: { ...valid, now: now() } }, ask);
    },

    attachPaymentMethod: (customerId: string, input: z.input<typeof paymentMethodInput>, ask: Ask) => {
      const valid = parseInput(paymentMethodInput, input, 'customer.invalid');
      return path.run(customerId, { type: 'AttachPaymentMethod', data: { ...valid, now: now() } }, ask);
    },

    grantCredit: (customerId: string, input: z.input<typeof creditInput>, ask: Ask) => {
      const valid = parseInput(creditInput, input, 'customer.invalid');
      return path.run(customerId, { type: 'GrantCredit', data: { ...valid, now: now() } }, ask);
    },

    /** A coupon redeemed on the customer: its discount, after a subscription's own, on its invoices. */
    applyCoupon: async (customerId: string, input: z.input<typeof couponChoice>, ask: Ask) => {
      const { couponId } = parseInput(couponChoice, input, 'customer.invalid');
      const { state } = await path.current(customerId);
      if (state.status === 'none') throw new NotFoundError('customer.not_found', 'the customer does not exist');
      if (state.discount && state.discount.couponId !== couponId) {
        throw new ConflictError('customer.discount_exists', `the customer has coupon ${state.discount.couponId}'s discount: remove it first`, { couponId: state.discount.couponId });
      }
      return redeemOn(
        { store: deps.store, now: deps.clock.now() },
        couponId,
        { kind: 'customer', id: customerId },
        ask,
        (discount) => path.run(customerId, { type: 'ApplyDiscount', data: { discount, now: now() } }, ask),
        async (redemptionId) => {
          const current = (await path.current(customerId)).state;
          return current.status === 'registered' && current.discount?.redemptionId === redemptionId;
        },
      );
    },

    removeDiscount: (customerId: string, ask: Ask) => path.run(customerId, { type: 'RemoveDiscount', data: { now: now() } }, ask),

    /** The tax rate its invoices are taxed at, over its plans'; null removes it. */
    setTaxRate: async (customerId: string, input: z.input<typeof taxRateChoice>, ask: Ask) => {
      const { taxRateId } = parseInput(taxRateChoice, input, 'customer.invalid');
      if (taxRateId !== null) await checkActiveTaxRate(deps.store, taxRateId);
      return path.run(customerId, { type: 'SetCustomerTaxRate', data: { taxRateId, now: now() } }, ask);
    },
  };
};

export type CustomerCommands = ReturnType<typeof createCustomerCommands>;

/** Whether `userId` owns the customer, on the customer's own stream: what a USER may see or touch hangs on it. */
export const ownsCustomer = async (customers: Pick<CustomerCommands, 'current'>, userId: string, customerId: string): Promise<boolean> => {
  const { state } = await customers.current(customerId);
  return state.status === 'registered' && state.ownerUserId === userId;
};
