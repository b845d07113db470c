import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBilling } from '../../src/application/billing/billSubscription.js';
import { runBilling } from '../../src/application/billing/billingRun.js';
import { BILLING_DUE_PROJECTION, billingDueProjection } from '../../src/projections/billing/due.js';
import { customerDecider, customerStreamName } from '../../src/domain/customer/index.js';
import { subscriptionDecider, subscriptionStreamName } from '../../src/domain/subscription/index.js';
import { createPostgresEventStore, handleCommand, type PostgresEventStore, type Position } from '../../src/eventstore/index.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { ProjectionRunner } from '../../src/projections/runtime/index.js';
import { countEvents } from '../contract/billing.js';
import { plan } from '../domain/billingFixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let database: TestDatabase;
let store: PostgresEventStore;
let runner: ProjectionRunner;
let last: Position | undefined;
const origin = { actor: { id: 'system:scheduler' }, source: 'scheduler', correlationId: 'billing-run-test' };
const context = (at: string) => ({ correlationId: randomUUID(), actor: { id: 'usr_test' }, source: 'api', occurredAt: new Date(at) });

/** The anchors: the 28th to the 31st of January 2026, at different hours, and two with a 10-day trial. */
const ANCHORS = Array.from({ length: 24 }, (_, i) => ({ day: 28 + (i % 4), hour: i % 24, trial: i % 12 === 0 }));

/**
 * Independently of the engine: how many monthly periods start by `until` for
 * an anchor, clamped to shorter months, never stepped from the previous one.
 */
const periodsBy = (anchor: Date, until: Date): number => {
  let n = 0;
  for (;;) {
    const month = anchor.getUTCMonth() + n;
    const lastDay = new Date(Date.UTC(anchor.getUTCFullYear(), month + 1, 0)).getUTCDate();
    const start = Date.UTC(anchor.getUTCFullYear(), month, Math.min(anchor.getUTCDate(), lastDay), anchor.getUTCHours());
    if (start > until.getTime()) return n;
    n += 1;
  }
};

const expectedInvoices = (until: Date) =>
  ANCHORS.reduce((sum, a) => {
    const created = new Date(Date.UTC(2026, 0, a.day, a.hour));
    const anchor = a.trial ? new Date(created.getTime() + 10 * 86_400_000) : created;
    return sum + periodsBy(anchor, until);
  }, 0);

const billingWith = (at: Date) => createBilling({ store, db: database.db, clock: { now: () => at } });

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 20 });
  store = createPostgresEventStore({ pool: database.pool });
  runner = new ProjectionRunner({ db: database.db, store, logger: createSilentLogger(), projections: [billingDueProjection] });
  runner.start();
  for (const a of ANCHORS) {
    const at = new Date(Date.UTC(2026, 0, a.day, a.hour)).toISOString();
    const customerId = `cus_${randomUUID().replaceAll('-', '')}`;
    await handleCommand(store, customerStreamName(customerId), customerDecider, {
      type: 'RegisterCustomer',
      data: { customerId, name: 'Acme', email: 'a@acme.example', now: at },
    }, context(at));
    const subscriptionId = `sub_${randomUUID().replaceAll('-', '')}`;
    const created = await handleCommand(store, subscriptionStreamName(subscriptionId), subscriptionDecider, {
      type: 'CreateSubscription',
      data: { subscriptionId, contract: { contractId: 'ctr_1', customerId, status: 'ACTIVE' }, plan: plan({ trialDays: a.trial ? 10 : 0 }), quantity: 1, now: at },
    }, context(at));
    last = created.position;
  }
  expect(await runner.waitFor([BILLING_DUE_PROJECTION], last!, 10_000)).toBe(true);
});

afterAll(async () => {
  await runner?.stop();
  await store?.close();
  await database?.close();
});

describe('the billing run', () => {
  it('bills every due period exactly once with three runs at once, and a rerun bills nothing', async () => {
    const until = new Date('2026-05-31T23:00:00.000Z');
    const expected = expectedInvoices(until);
    expect(expected).toBeGreaterThan(ANCHORS.length * 3);
    const billing = billingWith(until);
    const runs = await Promise.all([1, 2, 3].map(() => runBilling({ db: database.db, billing }, until, { origin, batchSize: 5, concurrency: 4 })));
    expect(runs.flatMap((r) => r.failures)).toEqual([]);
    expect(await countEvents(database.db, 'InvoiceCreated')).toBe(expected);
    expect(await countEvents(database.db, 'InvoiceFinalized')).toBe(expected);

    const events = await countEvents(database.db);
    const rerun = await runBilling({ db: database.db, billing }, until, { origin });
    expect(rerun).toMatchObject({ subscriptions: 0, invoices: 0, stopped: false });
    expect(await countEvents(database.db)).toBe(events);
  });

  it('catches up on every period missed during downtime', async () => {
    const until = new Date('2026-09-30T23:00:00.000Z');
    const result = await runBilling({ db: database.db, billing: billingWith(until) }, until, { origin, batchSize: 7 });
    expect(result.failures).toEqual([]);
    expect(await countEvents(database.db, 'InvoiceCreated')).toBe(expectedInvoices(until));
    expect(result.invoices).toBe(expectedInvoices(until) - expectedInvoices(new Date('2026-05-31T23:00:00.000Z')));
  });

  it('stops before its next batch once it may not go on (a lost lease), and writes nothing of a batch read meanwhile', async () => {
    const until = new Date('2026-12-31T23:00:00.000Z');
    // Asked before each batch is read and again before it is written: the first batch goes through, then the lease is lost.
    for (const [askedTimes, stage] of [
      [2, 'before the second batch is read'],
      [3, 'while the second batch is read'],
    ] as const) {
      const before = await countEvents(database.db, 'InvoiceCreated');
      let asked = 0;
      const result = await runBilling({ db: database.db, billing: billingWith(until) }, until, {
        origin,
        batchSize: 5,
        mayContinue: () => asked++ < askedTimes,
      });
      expect(result, stage).toMatchObject({ subscriptions: 5, stopped: true });
      expect(await countEvents(database.db, 'InvoiceCreated'), stage).toBe(before + result.invoices);
    }
  });
});
