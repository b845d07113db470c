import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBilling } from '../../src/application/billing/billSubscription.js';
import { BILLING_DUE_PROJECTION, billingDueProjection } from '../../src/projections/billing/due.js';
import { billingTriggers, type TriggerName } from '../../src/scheduler/billing/triggers.js';
import { createCommerce, type Commerce } from '../../src/application/index.js';
import { createPostgresEventStore, type PostgresEventStore, type Position } from '../../src/eventstore/index.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { ProjectionRunner } from '../../src/projections/runtime/index.js';
import { CONTRACTS_PROJECTION, contractsProjection } from '../../src/projections/contract/index.js';
import { SUBSCRIPTIONS_PROJECTION, subscriptionsProjection } from '../../src/projections/subscription/index.js';
import { leasedTrigger } from '../../src/scheduler/runtime/leasedTrigger.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let database: TestDatabase;
let store: PostgresEventStore;
let runner: ProjectionRunner;
let commerce: Commerce;
let now = new Date('2026-01-10T09:00:00.000Z');
const clock = { now: () => now };
const logger = createSilentLogger();
const ask = { actor: { id: 'usr_admin', role: 'ADMIN' as const }, source: 'api', correlationId: 'triggers-test' };

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 20 });
  store = createPostgresEventStore({ pool: database.pool });
  runner = new ProjectionRunner({ db: database.db, store, logger, projections: [subscriptionsProjection, contractsProjection, billingDueProjection] });
  runner.start();
  commerce = createCommerce({ store, clock, userExists: async () => true });
});
afterAll(async () => {
  await runner?.stop();
  await store?.close();
  await database?.close();
});

/** Runs one trigger as the scheduler would, under its lease, once the read models have seen `position`. */
const fire = async (name: TriggerName, position: Position | undefined) => {
  expect(await runner.waitFor([SUBSCRIPTIONS_PROJECTION, CONTRACTS_PROJECTION, BILLING_DUE_PROJECTION], position!, 10_000)).toBe(true);
  const billing = createBilling({ store, db: database.db, clock });
  const trigger = billingTriggers({ db: database.db, store, clock, billing, logger, batchSize: 2 }).find((t) => t.name === name)!;
  await leasedTrigger(trigger, { db: database.db, logger, holder: 'test-instance' }).run(new AbortController().signal);
};

const invoicesOf = async (subscriptionId: string) => {
  const { rows } = await sql<{ data: { lines: { period: { start: string } }[]; total: number } }>`
    select data from es.events where type = 'InvoiceCreated' and data->>'subscriptionId' = ${subscriptionId} order by global_position`.execute(database.db);
  return rows.map((r) => ({ start: r.data.lines[0]!.period.start, total: r.data.total }));
};

const subscribed = async (trialDays = 0, endsAt?: string) => {
  const plan = await commerce.plans.create({ name: 'Basic', pricingModel: 'flat_rate', amount: 1_000, currency: 'usd', interval: 'month', trialDays }, ask);
  const customer = await commerce.customers.register({ name: 'Acme', email: 'a@acme.example' }, ask);
  const customerId = customer.newState.status === 'registered' ? customer.newState.customerId : '';
  const contract = await commerce.contracts.create({ customerId, title: 'Deal', ...(endsAt && { endsAt }) }, ask);
  const contractId = contract.newState.status === 'NONE' ? '' : contract.newState.contractId;
  await commerce.contracts.activate(contractId, ask);
  const planId = plan.newState.status === 'none' ? '' : plan.newState.planId;
  const sub = await commerce.subscriptions.create({ contractId, planId }, ask);
  return { contractId, subscriptionId: sub.newState.status === 'NONE' ? '' : sub.newState.subscriptionId, position: sub.position };
};

it('ends trials whose end has passed, at their end', async () => {
  now = new Date('2026-01-10T09:00:00.000Z');
  const { subscriptionId, position } = await subscribed(14);
  now = new Date('2026-01-25T00:00:00.000Z');
  await fire('trial-end', position);
  const { state } = await commerce.subscriptions.current(subscriptionId);
  expect(state).toMatchObject({ status: 'ACTIVE', currentPeriodStart: '2026-01-24T09:00:00.000Z' });
});

it('cancels at the period end what was scheduled to, at that end, and bills its periods until then', async () => {
  now = new Date('2026-02-01T00:00:00.000Z');
  const { subscriptionId } = await subscribed();
  now = new Date('2026-02-10T00:00:00.000Z');
  const scheduled = await commerce.subscriptions.cancel(subscriptionId, { atPeriodEnd: true }, ask);
  now = new Date('2026-03-05T00:00:00.000Z');
  await fire('period-end-cancellation', scheduled.position);
  const { state } = await commerce.subscriptions.current(subscriptionId);
  expect(state).toMatchObject({ status: 'CANCELED', canceledAt: '2026-03-01T00:00:00.000Z' });

  const canceled = (await store.readStream(`subscription-${subscriptionId}`)).at(-1)!;
  await fire('billing-run', canceled.position);
  await fire('billing-run', canceled.position);
  // February's period only, once, though the run fired twice: nothing after the cancellation.
  expect(await invoicesOf(subscriptionId)).toEqual([{ start: '2026-02-01T00:00:00.000Z', total: 1_000 }]);
});

it('expires contracts whose end has passed, as of their end', async () => {
  now = new Date('2026-04-01T00:00:00.000Z');
  const { contractId, position } = await subscribed(0, '2026-04-20T00:00:00.000Z');
  now = new Date('2026-04-22T00:00:00.000Z');
  await fire('contract-expiry', position);
  const { state } = await commerce.contracts.current(contractId);
  expect(state).toMatchObject({ status: 'EXPIRED', endedAt: '2026-04-20T00:00:00.000Z' });
});
