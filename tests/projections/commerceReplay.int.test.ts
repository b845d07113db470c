import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPostgresEventStore, type PostgresEventStore, type Position, type RecordedEvent } from '../../src/eventstore/index.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { contractsProjection } from '../../src/projections/contract/index.js';
import { customersProjection } from '../../src/projections/customer/index.js';
import { ProjectionRunner, type Projection } from '../../src/projections/runtime/index.js';
import { plansProjection } from '../../src/projections/plan/index.js';
import { subscriptionsProjection } from '../../src/projections/subscription/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { at, runCommerceScenario, SUB } from './commerceScenario.js';
import { expectPrefixReplaysChangeNothing } from './replayProperty.js';

const projections: readonly Projection[] = [customersProjection, plansProjection, contractsProjection, subscriptionsProjection];

let database: TestDatabase;
let store: PostgresEventStore;
let last: Position;
let history: RecordedEvent[];
beforeAll(async () => {
  database = await createTestDatabase();
  store = createPostgresEventStore({ pool: database.pool, connectionString: database.url, pollIntervalMs: 100 });
  await store.start();
  last = await runCommerceScenario(store);
  history = await store.readAll();
  expect(history.length).toBeGreaterThan(50);
});
afterAll(async () => {
  await store.close();
  await database.close();
});

/** Every row of every commerce table, in key order. */
const snapshot = async () => {
  const { db } = database;
  return {
    customers: await db.selectFrom('read.customers').selectAll().orderBy('customer_id').execute(),
    balances: await db.selectFrom('read.customer_credit_balances').selectAll().orderBy('customer_id').orderBy('currency').execute(),
    ledger: await db.selectFrom('read.customer_credit_ledger').selectAll().orderBy('event_id').execute(),
    plans: await db.selectFrom('read.plans').selectAll().orderBy('plan_id').execute(),
    contracts: await db.selectFrom('read.contracts').selectAll().orderBy('contract_id').execute(),
    subscriptions: await db.selectFrom('read.subscriptions').selectAll().orderBy('subscription_id').execute(),
  };
};

/** What the runner would hand each projection: only the events its filter lets through, as one batch. */
const apply = (events: readonly RecordedEvent[]) =>
  database.db.transaction().execute(async (trx) => {
    for (const projection of projections) {
      const prefixes = projection.filter?.streamPrefixes ?? [];
      await projection.apply(trx, events.filter((e) => prefixes.some((p) => e.streamName.startsWith(p))));
    }
  });

const reset = () =>
  database.db.transaction().execute(async (trx) => {
    for (const projection of projections) await projection.reset(trx);
  });

it('builds the same rows live, in one batch, one event per batch, and by the runner’s rebuild', async () => {
  const runner = new ProjectionRunner({ db: database.db, store, logger: createSilentLogger(), projections });
  runner.start();
  const names = projections.map((p) => p.name);
  try {
    expect(await runner.waitFor(names, last, 20_000)).toBe(true);
    const live = await snapshot();
    expect(live.subscriptions).toHaveLength(6);

    await reset();
    await apply(history);
    expect(await snapshot()).toEqual(live);

    await reset();
    for (const event of history) await apply([event]);
    expect(await snapshot()).toEqual(live);

    for (const name of names) await runner.rebuild(name);
    expect(await runner.waitFor(names, last, 20_000)).toBe(true);
    expect(await snapshot()).toEqual(live);
  } finally {
    await runner.stop();
  }
});

it('follows a subscription’s unpaid invoices: past due since the first, a further one joins, a settled one leaves, the last clears both', async () => {
  await reset();
  const seen: unknown[] = [];
  for (const event of history) {
    await apply([event]);
    if (!['SubscriptionPastDue', 'SubscriptionInvoiceSettled', 'SubscriptionRecovered'].includes(event.type)) continue;
    const row = await database.db
      .selectFrom('read.subscriptions')
      .select(['subscription_id', 'status', 'past_due_since', 'past_due_invoice_ids'])
      .where('subscription_id', '=', event.streamName.slice('subscription-'.length))
      .executeTakeFirstOrThrow();
    seen.push([event.type, row.subscription_id, row.status, row.past_due_since?.toISOString() ?? null, row.past_due_invoice_ids]);
  }
  expect(seen).toEqual([
    ['SubscriptionPastDue', SUB[1], 'PAST_DUE', at('03-20'), ['inv_9']],
    ['SubscriptionPastDue', SUB[4], 'PAST_DUE', at('03-20'), ['inv_7']],
    ['SubscriptionPastDue', SUB[4], 'PAST_DUE', at('03-20'), ['inv_7', 'inv_8']],
    ['SubscriptionRecovered', SUB[1], 'ACTIVE', null, []],
    ['SubscriptionInvoiceSettled', SUB[4], 'PAST_DUE', at('03-20'), ['inv_8']],
  ]);
});

it('replaying any prefix, over the whole history or over that prefix, changes nothing', () =>
  expectPrefixReplaysChangeNothing({ history, apply, reset, snapshot }));
