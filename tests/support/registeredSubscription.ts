import { randomBytes } from 'node:crypto';
import { customerDecider, customerStreamName } from '../../src/domain/customer/index.js';
import { subscriptionDecider, subscriptionStreamName } from '../../src/domain/subscription/index.js';
import { handleCommand, type EventStore } from '../../src/eventstore/index.js';
import { plan } from '../domain/billingFixtures.js';

/**
 * A registered customer (`Customer <n>`, c<n>@example.com) and an active
 * subscription of theirs, written to their streams at `at` as the API leaves
 * them (the contract only named): what a subscription_created notice is
 * composed from. Fresh ids each call; the subscription's id.
 */
export const aRegisteredSubscription = async (store: EventStore, at: Date, n: number): Promise<string> => {
  const customerId = `cus_${randomBytes(16).toString('hex')}`;
  const subscriptionId = `sub_${randomBytes(16).toString('hex')}`;
  const now = at.toISOString();
  const context = (commandId: string) => ({ commandId, correlationId: commandId, actor: { id: 'system:test' }, source: 'test', occurredAt: at });
  await handleCommand(
    store,
    customerStreamName(customerId),
    customerDecider,
    { type: 'RegisterCustomer', data: { customerId, name: `Customer ${n}`, email: `c${n}@example.com`, now } },
    context(`reg:${customerId}`),
  );
  await handleCommand(
    store,
    subscriptionStreamName(subscriptionId),
    subscriptionDecider,
    { type: 'CreateSubscription', data: { subscriptionId, contract: { contractId: 'ctr_1', customerId, status: 'ACTIVE' }, plan: plan(), quantity: 1, now } },
    context(`sub:${subscriptionId}`),
  );
  return subscriptionId;
};
