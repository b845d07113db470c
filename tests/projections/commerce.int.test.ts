import { presentSubscription } from '../../src/application/subscription/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscriptionExists } from '../../src/application/subscription/commands.js';
import { contractDecider, contractStreamName } from '../../src/domain/contract/index.js';
import { customerDecider, customerStreamName } from '../../src/domain/customer/index.js';
import { planDecider, planStreamName } from '../../src/domain/plan/index.js';
import { subscriptionDecider, subscriptionStreamName } from '../../src/domain/subscription/index.js';
import { createPostgresEventStore, foldStream, type PostgresEventStore } from '../../src/eventstore/index.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { AUDIT_PROJECTION, auditProjection } from '../../src/projections/audit/index.js';
import { CONTRACTS_PROJECTION, contractsProjection, getContract, listContracts } from '../../src/projections/contract/index.js';
import {
  CUSTOMERS_PROJECTION,
  customersProjection,
  getCustomer,
  listCustomers,
  ownerOfCustomer,
} from '../../src/projections/customer/index.js';
import { ProjectionRunner } from '../../src/projections/runtime/index.js';
import { getPlan, listPlans, PLANS_PROJECTION, plansProjection } from '../../src/projections/plan/index.js';
import {
  getSubscription,
  listSubscriptions,
  SUBSCRIPTIONS_PROJECTION,
  subscriptionsProjection,
} from '../../src/projections/subscription/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { ANN, at, BEN, CTR, CUS, PLN, runCommerceScenario, SUB } from './commerceScenario.js';

let database: TestDatabase;
let store: PostgresEventStore;
let runner: ProjectionRunner;
beforeAll(async () => {
  database = await createTestDatabase();
  store = createPostgresEventStore({ pool: database.pool, connectionString: database.url, pollIntervalMs: 100 });
  await store.start();
  runner = new ProjectionRunner({
    db: database.db,
    store,
    logger: createSilentLogger(),
    projections: [customersProjection, plansProjection, contractsProjection, subscriptionsProjection, auditProjection],
  });
  runner.start();
  const last = await runCommerceScenario(store);
  const names = [CUSTOMERS_PROJECTION, PLANS_PROJECTION, CONTRACTS_PROJECTION, SUBSCRIPTIONS_PROJECTION, AUDIT_PROJECTION];
  expect(await runner.waitFor(names, last, 20_000)).toBe(true);
});
afterAll(async () => {
  await runner.stop();
  await store.close();
  await database.close();
});

const ids = (views: readonly Record<string, unknown>[], key: string) => views.map((v) => v[key]);

describe('customers', () => {
  it('hold the profile, owner, payment method, credit by currency and the stream revision', async () => {
    expect(await getCustomer(database.db, CUS[0])).toEqual({
      customerId: CUS[0],
      name: 'Acme Ltd',
      email: 'billing@acme.test',
      ownerUserId: ANN,
      paymentMethod: 'pm_card_acme',
      draftInvoices: false,
      credit: { usd: 4100, eur: 2000 },
      revision: 6n,
      createdAt: at('03-01'),
      updatedAt: at('03-27'),
    });
    expect(await getCustomer(database.db, CUS[3])).toMatchObject({ email: 'finance@hooli.test', ownerUserId: undefined, credit: {}, revision: 1n });
    expect(await getCustomer(database.db, 'cus_missing')).toBeUndefined();
    expect(await ownerOfCustomer(database.db, CUS[2])).toBe(BEN);
    expect((await Promise.all(CUS.map((id) => getCustomer(database.db, id)))).map((c) => c?.draftInvoices)).toEqual([false, true, true, false]);
    expect(await ownerOfCustomer(database.db, CUS[3])).toBeNull();
    expect(await ownerOfCustomer(database.db, 'cus_missing')).toBeUndefined();
  });

  it('keep one ledger line per grant and application', async () => {
    const ledger = await database.db
      .selectFrom('read.customer_credit_ledger')
      .select(['kind', 'amount', 'currency', 'balance_after', 'reason', 'invoice_id', 'revision'])
      .where('customer_id', '=', CUS[0])
      .orderBy('revision')
      .execute();
    expect(ledger).toEqual([
      { kind: 'grant', amount: '5000', currency: 'usd', balance_after: '5000', reason: 'welcome', invoice_id: null, revision: '3' },
      { kind: 'grant', amount: '2000', currency: 'eur', balance_after: '2000', reason: 'goodwill', invoice_id: null, revision: '4' },
      { kind: 'application', amount: '1200', currency: 'usd', balance_after: '3800', reason: null, invoice_id: 'inv_1', revision: '5' },
      { kind: 'grant', amount: '300', currency: 'usd', balance_after: '4100', reason: 'refund', invoice_id: null, revision: '6' },
    ]);
  });

  it('list by current owner, in id order, one row more than the page', async () => {
    expect(ids(await listCustomers(database.db, { ownerUserId: ANN, limit: 10 }), 'customerId')).toEqual([CUS[0]]);
    expect(ids(await listCustomers(database.db, { ownerUserId: BEN, limit: 10 }), 'customerId')).toEqual([CUS[1], CUS[2]]);
    expect(ids(await listCustomers(database.db, { limit: 2 }), 'customerId')).toEqual([CUS[0], CUS[1], CUS[2]]);
    expect(ids(await listCustomers(database.db, { after: CUS[1], limit: 2 }), 'customerId')).toEqual([CUS[2], CUS[3]]);
  });
});

describe('plans', () => {
  it('hold the terms and follow updates and archiving', async () => {
    expect(await getPlan(database.db, PLN[2])).toEqual({
      planId: PLN[2],
      name: 'Annual (legacy)',
      pricingModel: 'flat_rate',
      amount: 29000,
      currency: 'usd',
      interval: 'year',
      intervalCount: 1,
      trialDays: 0,
      status: 'archived',
      archivedAt: at('03-03', 10),
      revision: 2n,
      createdAt: at('03-01'),
      updatedAt: at('03-03', 10),
    });
    expect(await getPlan(database.db, PLN[1])).toMatchObject({ description: 'per seat', metadata: { family: 'seats' }, pricingModel: 'per_unit', trialDays: 14 });
  });

  it('list by status and currency', async () => {
    expect(ids(await listPlans(database.db, { status: 'active', limit: 10 }), 'planId')).toEqual([PLN[0], PLN[1], PLN[3]]);
    expect(ids(await listPlans(database.db, { status: 'archived', limit: 10 }), 'planId')).toEqual([PLN[2]]);
    expect(ids(await listPlans(database.db, { currency: 'eur', limit: 10 }), 'planId')).toEqual([PLN[3]]);
    expect(ids(await listPlans(database.db, { after: PLN[1], limit: 1 }), 'planId')).toEqual([PLN[2], PLN[3]]);
  });
});

describe('contracts', () => {
  it('follow every status with its instant', async () => {
    expect(await getContract(database.db, CTR[0])).toEqual({
      contractId: CTR[0],
      customerId: CUS[0],
      title: 'Contract 1',
      terms: 'net 30',
      startsAt: at('03-01'),
      status: 'ACTIVE',
      activatedAt: at('03-01', 10),
      revision: 3n,
      createdAt: at('03-01'),
      updatedAt: at('03-09', 12),
    });
    expect(await getContract(database.db, CTR[3])).toMatchObject({ status: 'TERMINATED', activatedAt: undefined, endedAt: at('03-01', 11) });
    expect(await getContract(database.db, CTR[4])).toMatchObject({ status: 'EXPIRED', endsAt: at('04-01', 0), endedAt: at('04-01', 0) });
    expect(await getContract(database.db, CTR[5])).toMatchObject({ status: 'SUSPENDED', suspendedAt: at('03-15') });
  });

  it('list by customer, status and the customer’s current owner, in keyset pages', async () => {
    const list = async (filter: Parameters<typeof listContracts>[1]) => ids(await listContracts(database.db, filter), 'contractId');
    expect(await list({ customerId: CUS[0], limit: 10 })).toEqual([CTR[0], CTR[3], CTR[5]]);
    expect(await list({ status: 'SUSPENDED', limit: 10 })).toEqual([CTR[5]]);
    // Initech (contract 3) moved from Ann to Ben: its contracts follow the customer's owner.
    expect(await list({ ownerUserId: ANN, limit: 10 })).toEqual([CTR[0], CTR[3], CTR[5]]);
    expect(await list({ ownerUserId: BEN, limit: 10 })).toEqual([CTR[1], CTR[2], CTR[4]]);
    expect(await list({ ownerUserId: ANN, status: 'ACTIVE', limit: 10 })).toEqual([CTR[0]]);
    expect(await list({ ownerUserId: 'usr_nobody', limit: 10 })).toEqual([]);
    expect(await list({ limit: 2 })).toEqual([CTR[0], CTR[1], CTR[2]]);
    expect(await list({ after: CTR[1], limit: 2 })).toEqual([CTR[2], CTR[3], CTR[4]]);
  });
});

describe('subscriptions', () => {
  it('follow plan, quantity, cancellation, pause and resume with the period last recorded', async () => {
    expect(await getSubscription(database.db, SUB[0])).toEqual({
      subscriptionId: SUB[0],
      customerId: CUS[0],
      contractId: CTR[0],
      plan: { planId: PLN[1], pricingModel: 'per_unit', amount: 1000, currency: 'usd', interval: 'month', intervalCount: 1 },
      quantity: 5,
      status: 'ACTIVE',
      billingAnchor: at('03-10'),
      currentPeriodStart: at('03-10'),
      currentPeriodEnd: at('04-10'),
      cancelAtPeriodEnd: false,
      revision: 6n,
      createdAt: at('03-02'),
      updatedAt: at('03-10'),
    });
    expect(await getSubscription(database.db, SUB[1])).toMatchObject({
      status: 'CANCELED',
      canceledAt: at('03-25'),
      trialEnd: at('03-16'),
      billingAnchor: at('03-16'),
      currentPeriodEnd: at('04-16'),
      pastDueSince: undefined,
      pastDueInvoiceIds: undefined,
      quantity: 3,
    });
    expect(await getSubscription(database.db, SUB[2])).toMatchObject({
      status: 'CANCELED',
      cancelAtPeriodEnd: true,
      cancelAt: at('04-02'),
      canceledAt: at('04-02'),
      updatedAt: at('04-02', 10),
    });
    expect(await getSubscription(database.db, SUB[3])).toMatchObject({ status: 'EXPIRED', expiredAt: at('03-12'), plan: { currency: 'eur', amount: 2500 } });
    // Past due since its first unpaid invoice; a second joined, and the first was settled.
    expect(await getSubscription(database.db, SUB[4])).toMatchObject({ status: 'PAST_DUE', pastDueSince: at('03-20'), pastDueInvoiceIds: ['inv_8'], updatedAt: at('03-23') });
    expect(await getSubscription(database.db, SUB[5])).toMatchObject({ status: 'PAUSED', pausedAt: at('03-04'), pausedBy: 'contract' });
  });

  it('list by customer, contract, status, plan and the customer’s current owner, in keyset pages', async () => {
    const list = async (filter: Parameters<typeof listSubscriptions>[1]) => ids(await listSubscriptions(database.db, filter), 'subscriptionId');
    expect(await list({ customerId: CUS[0], limit: 10 })).toEqual([SUB[0], SUB[5]]);
    expect(await list({ contractId: CTR[1], limit: 10 })).toEqual([SUB[1], SUB[3]]);
    expect(await list({ status: 'CANCELED', limit: 10 })).toEqual([SUB[1], SUB[2]]);
    expect(await list({ planId: PLN[1], limit: 10 })).toEqual([SUB[0], SUB[1], SUB[5]]);
    expect(await list({ ownerUserId: ANN, limit: 10 })).toEqual([SUB[0], SUB[5]]);
    expect(await list({ ownerUserId: BEN, status: 'CANCELED', limit: 10 })).toEqual([SUB[1], SUB[2]]);
    expect(await list({ limit: 4 })).toEqual([SUB[0], SUB[1], SUB[2], SUB[3], SUB[4]]);
    expect(await list({ after: SUB[3], limit: 4 })).toEqual([SUB[4], SUB[5]]);
  });
});

describe('agreement with the domain', () => {
  it('every view holds what the decider’s own fold of its stream holds, at its revision', async () => {
    for (const customerId of CUS) {
      const { state, revision } = await foldStream(store, customerStreamName(customerId), customerDecider);
      const { status: _status, ...facts } = state as Extract<typeof state, { status: 'registered' }>;
      expect(await getCustomer(database.db, customerId)).toMatchObject({ ...facts, revision });
    }
    for (const planId of PLN) {
      const { state, revision } = await foldStream(store, planStreamName(planId), planDecider);
      expect(await getPlan(database.db, planId)).toMatchObject({ ...state, revision });
    }
    for (const contractId of CTR) {
      const { state, revision } = await foldStream(store, contractStreamName(contractId), contractDecider);
      expect(await getContract(database.db, contractId)).toMatchObject({ ...state, revision });
    }
    for (const subscriptionId of SUB) {
      const { state, revision } = await foldStream(store, subscriptionStreamName(subscriptionId), subscriptionDecider);
      const view = await getSubscription(database.db, subscriptionId);
      expect(view).toMatchObject({ ...state, revision });
      if (!subscriptionExists(state)) throw new Error(`no subscription ${subscriptionId}`);
      expect(presentSubscription(view!, view!.revision)).toEqual(presentSubscription(state, revision!));
    }
    expect(presentSubscription((await getSubscription(database.db, SUB[4]))!, 0n)).toMatchObject({ status: 'PAST_DUE', pastDueInvoiceIds: ['inv_8'] });
    expect(presentSubscription((await getSubscription(database.db, SUB[0]))!, 0n)).toMatchObject({ pastDueSince: null, pastDueInvoiceIds: [] });
  });
});

describe('audit trail of commerce events', () => {
  const changesOf = async (streamName: string, type: string) => {
    const row = await database.db
      .selectFrom('read.audit_log')
      .select('changes')
      .where('stream_name', '=', streamName)
      .where('event_type', '=', type)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    return row.changes as Record<string, unknown>;
  };

  it('shows before and after where the event says both', async () => {
    const sub = subscriptionStreamName(SUB[0]);
    expect(await changesOf(sub, 'SubscriptionQuantityChanged')).toMatchObject({ quantity: { before: 1, after: 5 } });
    expect(await changesOf(sub, 'SubscriptionPlanChanged')).toMatchObject({ planId: { before: PLN[0], after: PLN[1] } });
    expect(await changesOf(sub, 'SubscriptionCancellationWithdrawn')).toMatchObject({ cancelAtPeriodEnd: { before: true, after: false } });
    expect(await changesOf(sub, 'SubscriptionResumed')).toMatchObject({ status: { before: 'PAUSED', after: 'ACTIVE' } });
    expect((await changesOf(sub, 'SubscriptionPaused')).status).toEqual({ after: 'PAUSED' });
    expect(await changesOf(contractStreamName(CTR[0]), 'ContractSuspended')).toMatchObject({
      status: { before: 'ACTIVE', after: 'SUSPENDED' },
      reason: { after: 'audit' },
    });
    expect(await changesOf(planStreamName(PLN[2]), 'PlanArchived')).toMatchObject({ status: { before: 'active', after: 'archived' } });
    expect(await changesOf(customerStreamName(CUS[0]), 'CustomerCreditApplied')).toMatchObject({
      'credit.usd': { before: 5000, after: 3800 },
      amount: { after: 1200 },
      invoiceId: { after: 'inv_1' },
    });
    expect(await changesOf(customerStreamName(CUS[3]), 'CustomerUpdated')).toMatchObject({
      ownerUserId: { after: null },
      email: { after: 'finance@hooli.test' },
    });
  });
});
