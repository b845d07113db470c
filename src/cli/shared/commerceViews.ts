import { presentSubscription } from '../../application/subscription/index.js';
import { presentContract } from '../../application/contract/index.js';
import { presentPlan } from '../../application/plan/index.js';
import { presentCustomer } from '../../application/customer/index.js';
import { contractExists, contracts } from '../../application/contract/index.js';
import { customerExists, customers } from '../../application/customer/index.js';
import { planExists, plans } from '../../application/plan/index.js';
import { subscriptionExists, subscriptions } from '../../application/subscription/index.js';
import type { Command, Event } from '../../domain/shared/index.js';
import type { Resource } from './commerceSupport.js';

/**
 * The four resources as the CLI prints them: JSON in the API's shape (its
 * presenters), or a short line for people.
 */
type PlanView = ReturnType<typeof presentPlan>;
type CustomerView = ReturnType<typeof presentCustomer>;
type ContractView = ReturnType<typeof presentContract>;
type SubscriptionView = ReturnType<typeof presentSubscription>;

export const planLine = (p: PlanView) =>
  `${p.planId} (${p.name}, ${p.amount} ${p.currency} / ${p.intervalCount} ${p.interval}` +
  `${p.trialDays > 0 ? `, ${p.trialDays}-day trial` : ''}${p.status === 'archived' ? ', archived' : ''})`;

const balances = (credit: Readonly<Record<string, number>>) =>
  Object.entries(credit)
    .map(([currency, amount]) => `${amount} ${currency}`)
    .join(', ');

export const customerLine = (c: CustomerView) =>
  `${c.customerId} (${c.name} <${c.email}>${c.draftInvoices ? ', invoices as drafts' : ''}` +
  `${Object.keys(c.credit).length > 0 ? `, credit ${balances(c.credit)}` : ''})`;

export const contractLine = (c: ContractView) => `${c.contractId} (${c.title}, ${c.status}, customer ${c.customerId})`;

export const subscriptionLine = (s: SubscriptionView) =>
  `${s.subscriptionId} (${s.status}, ${s.planId} × ${s.quantity}, period ${s.currentPeriodStart} → ${s.currentPeriodEnd}` +
  `${s.cancelAtPeriodEnd ? `, cancels at ${s.cancelAt}` : ''})`;

/** Infers a Resource's types from its parts. */
const resource = <S, C extends Command, E extends Event, Existing extends S, View>(r: Resource<S, C, E, Existing, View>) => r;

export const planResource = resource({
  kind: 'plan',
  aggregate: plans,
  isExisting: planExists,
  present: presentPlan,
  line: planLine,
});

export const customerResource = resource({
  kind: 'customer',
  aggregate: customers,
  isExisting: customerExists,
  present: presentCustomer,
  line: customerLine,
});

export const contractResource = resource({
  kind: 'contract',
  aggregate: contracts,
  isExisting: contractExists,
  present: presentContract,
  line: contractLine,
});

export const subscriptionResource = resource({
  kind: 'subscription',
  aggregate: subscriptions,
  isExisting: subscriptionExists,
  present: presentSubscription,
  line: subscriptionLine,
});
