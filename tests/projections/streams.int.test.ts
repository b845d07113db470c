import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPostgresEventStore, type PostgresEventStore } from '../../src/eventstore/index.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { ProjectionRunner } from '../../src/projections/runtime/index.js';
import { categoryOf, countStreamsByCategory, getStreamSummary, streamsProjection } from '../../src/projections/stream/index.js';
import { anEvent, events } from '../eventstore/conformanceSupport.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let database: TestDatabase;
let store: PostgresEventStore;
beforeAll(async () => {
  database = await createTestDatabase();
  store = createPostgresEventStore({ pool: database.pool, connectionString: database.url, pollIntervalMs: 100 });
  await store.start();
});
afterAll(async () => {
  await store.close();
  await database.close();
});

it('derives the category from the stream name', () => {
  expect(categoryOf('subscription-sub_0193abc')).toBe('subscription');
  expect(categoryOf('user_email-9f86d081')).toBe('user_email');
  expect(categoryOf('loner')).toBe('loner');
});

it('catalogues every stream with its length and last event, and a replay changes nothing', async () => {
  await store.appendToStream('customer-cus_1', events(3, 'CustomerUpdated'), { expectedRevision: 'no_stream' });
  await store.appendToStream('plan-pln_1', [anEvent('PlanCreated')], { expectedRevision: 'no_stream' });
  const last = await store.appendToStream('customer-cus_1', [anEvent('PaymentMethodAttached')], { expectedRevision: 2n });
  const runner = new ProjectionRunner({ db: database.db, store, logger: createSilentLogger(), projections: [streamsProjection] });
  runner.start();
  expect(await runner.waitFor(['streams'], last.position, 10_000)).toBe(true);
  await runner.stop();

  const customer = await getStreamSummary(database.db, 'customer-cus_1');
  expect(customer).toMatchObject({ category: 'customer', eventCount: 4n, lastRevision: 3n, lastEventType: 'PaymentMethodAttached' });
  expect(await countStreamsByCategory(database.db)).toEqual({ customer: 1, plan: 1 });

  // Replaying an earlier prefix (as a rebuild racing a live runner could) leaves the row as it is.
  const history = await store.readAll();
  await database.db.transaction().execute((trx) => streamsProjection.apply(trx, history.slice(0, 2)));
  await database.db.transaction().execute((trx) => streamsProjection.apply(trx, history));
  expect(await getStreamSummary(database.db, 'customer-cus_1')).toEqual(customer);
});
