import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBilling } from '../../src/application/billing/billSubscription.js';
import { runBilling } from '../../src/application/billing/billingRun.js';
import { BILLING_DUE_PROJECTION, billingDueProjection } from '../../src/projections/billing/due.js';
import { invoiceIdFor } from '../../src/application/invoice/invoiceIds.js';
import { invoiceDecider, invoiceStreamName } from '../../src/domain/invoice/index.js';
import { subscriptionStreamName } from '../../src/domain/subscription/index.js';
import { createPostgresEventStore, handleCommand, WrongExpectedRevisionError, type BatchWrites, type PostgresEventStore } from '../../src/eventstore/index.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { ProjectionRunner } from '../../src/projections/runtime/index.js';
import { anEvent } from '../eventstore/conformanceSupport.js';
import { eventsOf, numbersOf, ORIGIN, setup } from '../support/billingSetup.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let database: TestDatabase;
let store: PostgresEventStore;

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 20 });
  store = createPostgresEventStore({ pool: database.pool });
});
afterAll(async () => {
  await store?.close();
  await database?.close();
});

/** Billing on a clock fixed at `at`; each test bills in a year of its own, so its invoice numbers start at 1. */
const billingAt = (at: Date) => createBilling({ store, db: database.db, clock: { now: () => at } });

/** Each invoice of the subscriptions tagged `tag`: its events' types, and its number once finalised. */
const invoicesOf = async (tag: string) => {
  const invoices = new Map<string, { types: string[]; number?: string }>();
  for (const e of (await eventsOf(database.db, tag)).filter((x) => x.stream_name.startsWith('invoice-'))) {
    const invoice = invoices.get(e.stream_name) ?? { types: [] };
    invoice.types.push(e.type);
    if (e.type === 'InvoiceFinalized') invoice.number = e.data.number as string;
    invoices.set(e.stream_name, invoice);
  }
  return [...invoices.values()];
};

const eventCount = async () => Number((await database.pool.query('select count(*)::int as n from es.events')).rows[0].n);

// First in the file and in 2026, so that the due list holds none of the later tests' subscriptions yet.
describe('a subscription that cannot be billed', () => {
  let runner: ProjectionRunner;
  beforeAll(() => {
    runner = new ProjectionRunner({ db: database.db, store, logger: createSilentLogger(), projections: [billingDueProjection] });
    runner.start();
  });
  afterAll(() => runner?.stop());

  it('fails alone: the rest of its batch is billed, and the run reports it and leaves it due', async () => {
    const s = setup(store);
    const at = '2026-01-01T00:00:00.000Z';
    await s.customer('cus_fail_ok', at);
    await s.subscription('sub_fail_ok', 'cus_fail_ok', at);
    // A stream owedInvoices cannot read: a SubscriptionCreated without a plan.
    await store.appendToStream(
      subscriptionStreamName('sub_fail_broken'),
      [anEvent('SubscriptionCreated', { subscriptionId: 'sub_fail_broken', customerId: 'cus_fail_ok', createdAt: at, billingAnchor: at, plan: null, quantity: 1 })],
      { expectedRevision: 'no_stream' },
    );
    // A customer that does not exist: the excess of its downgrade of a paid January cannot be granted to it.
    await s.subscription('sub_fail_orphan', 'cus_fail_nobody', at, { amount: 2_000 });
    const first = new Date('2026-01-02T00:00:00.000Z');
    await billingAt(first).billSubscription('sub_fail_orphan', first, ORIGIN);
    const january = invoiceIdFor('sub_fail_orphan', `period:${at}`);
    const dunning = { retryDays: [1], graceDays: 5 };
    const paying = { correlationId: 'pay', actor: { id: 'system:test' }, source: 'test', occurredAt: first };
    await handleCommand(store, invoiceStreamName(january), invoiceDecider, { type: 'AttemptPayment', data: { attempt: 1, paymentMethod: 'pm_ok', dunning, now: at } }, { ...paying, commandId: 'pay:1' });
    const result = { outcome: 'succeeded', chargeId: 'ch_january' } as const;
    await handleCommand(store, invoiceStreamName(january), invoiceDecider, { type: 'RecordPaymentResult', data: { attempt: 1, result, dunning, now: at } }, { ...paying, commandId: 'pay:2' });
    const changed = await s.changePlan('sub_fail_orphan', '2026-01-16T00:00:00.000Z', { planId: 'pln_less', amount: 1_000 });
    expect(await runner.waitFor([BILLING_DUE_PROJECTION], changed.position!, 10_000)).toBe(true);

    const until = new Date('2026-02-01T00:00:00.000Z');
    const run = await runBilling({ db: database.db, billing: billingAt(until) }, until, { origin: ORIGIN, batchSize: 10 });
    expect(run.failures.map((f) => f.subscriptionId).sort()).toEqual(['sub_fail_broken', 'sub_fail_orphan']);
    expect(run.subscriptions).toBe(3);
    expect((await invoicesOf('sub_fail_ok')).map((i) => i.types)).toEqual([
      ['InvoiceCreated', 'InvoiceFinalized'],
      ['InvoiceCreated', 'InvoiceFinalized'],
    ]);
    const due = await database.db.selectFrom('billing.subscription_due').select(['subscription_id', 'due_at']).orderBy('subscription_id').execute();
    expect(due.map((d) => [d.subscription_id, new Date(d.due_at!) <= until])).toEqual([
      ['sub_fail_broken', true],
      ['sub_fail_ok', false],
      ['sub_fail_orphan', true],
    ]);
  });
});

describe('a batch another writer raced', () => {
  it.each([
    ['finalised it (the batch loses on the invoice number)', 2027, false],
    ['created it as a draft for review (the batch loses on the invoice stream)', 2028, true],
  ])('falls back to one by one when another writer billed one of its subscriptions and %s; the rolled-back batch took no number', async (_how, year, reviews) => {
    const s = setup(store);
    const tag = `sub_race${year}_`;
    const at = `${year}-03-01T00:00:00.000Z`;
    const ids = [1, 2, 3, 4].map((n) => `${tag}${n}`);
    for (const id of ids) {
      await s.customer(`cus_of_${id}`, at, { draftInvoices: reviews && id === ids[1] });
      await s.subscription(id, `cus_of_${id}`, at);
    }
    const until = new Date(at);
    // The store's batch, noting why its transaction was lost.
    const lost: unknown[] = [];
    const batch = { ...store.batch!, transaction: <T>(work: Parameters<BatchWrites['transaction']>[0]) => store.batch!.transaction(work).catch((err: unknown) => (lost.push(err), Promise.reject(err))) as Promise<T> };
    const { many, billSubscription } = createBilling({ store: { ...store, batch }, db: database.db, clock: { now: () => until } });
    const prepared = await many.prepare(ids, until);
    // The other writer, between the batch's reads and its transaction.
    const other = await billSubscription(ids[1]!, until, { ...ORIGIN, correlationId: 'other-writer' });
    expect(other.invoices).toHaveLength(1);
    const outcomes = await many.complete(prepared, ORIGIN, 4);
    const contested = invoiceStreamName(invoiceIdFor(ids[1]!, `period:${at}`));
    expect(lost).toEqual([reviews ? expect.objectContaining({ constructor: WrongExpectedRevisionError, streamName: contested }) : expect.objectContaining({ code: '23505', table: 'invoice_numbers' })]);

    expect(ids.map((id) => outcomes.get(id)).map((o) => (o?.status === 'fulfilled' ? o.value.invoices.length : o?.reason))).toEqual([1, 0, 1, 1]);
    const invoices = await invoicesOf(tag);
    expect(invoices).toHaveLength(4);
    const finalised = reviews ? 3 : 4;
    expect(invoices.filter((i) => i.types.join() === 'InvoiceCreated,InvoiceFinalized')).toHaveLength(finalised);
    if (reviews) expect(invoices.filter((i) => i.types.join() === 'InvoiceCreated')).toHaveLength(1);
    expect(invoices.flatMap((i) => i.number ?? []).sort()).toEqual(Array.from({ length: finalised }, (_, k) => `${year}-${String(k + 1).padStart(6, '0')}`));
    expect(await numbersOf(database.db, year)).toEqual(Array.from({ length: finalised }, (_, k) => k + 1));
  });
});

describe('an invoice one-by-one billing left half done', () => {
  it('is finished by the batch path: finalised once, with a number, while the rest of the batch is billed', async () => {
    const s = setup(store);
    const at = '2029-06-01T00:00:00.000Z';
    await s.customer('cus_half', at);
    await s.subscription('sub_half_done', 'cus_half', at);
    await s.subscription('sub_half_fresh', 'cus_half', at);
    const invoiceId = invoiceIdFor('sub_half_done', `period:${at}`);
    // What a one-by-one billing that died after creating the invoice left behind.
    await handleCommand(store, invoiceStreamName(invoiceId), invoiceDecider, {
      type: 'CreateInvoice',
      data: {
        invoiceId,
        customerId: 'cus_half',
        subscriptionId: 'sub_half_done',
        currency: 'usd',
        lines: [{ type: 'plan_charge', itemKey: `charge:${at}`, description: 'pln_basic × 1', quantity: 1, unitAmount: 1_000, amount: 1_000, currency: 'usd', period: { start: at, end: '2029-07-01T00:00:00.000Z' } }],
        cause: { kind: 'period', periodStart: at },
        draft: false,
        now: at,
      },
    }, { correlationId: 'crashed', actor: { id: 'system:billing' }, source: 'scheduler', occurredAt: new Date(at), commandId: `create:${invoiceId}` });

    const until = new Date('2029-06-02T00:00:00.000Z');
    const { many } = billingAt(until);
    const ids = ['sub_half_done', 'sub_half_fresh'];
    const prepared = await many.prepare(ids, until);
    expect(prepared.oneByOneIds).toEqual(['sub_half_done']);
    const outcomes = await many.complete(prepared, ORIGIN, 4);
    const done = outcomes.get('sub_half_done');
    expect(done?.status === 'fulfilled' && done.value.invoices).toEqual([expect.objectContaining({ invoiceId, number: expect.stringMatching(/^2029-/) })]);
    expect((await invoicesOf('sub_half_')).map((i) => [i.types.join(), i.number]).sort()).toEqual([
      ['InvoiceCreated,InvoiceFinalized', '2029-000001'],
      ['InvoiceCreated,InvoiceFinalized', '2029-000002'],
    ]);

    // A rerun finds everything done and writes nothing.
    const before = await eventCount();
    await many.complete(await many.prepare(ids, until), ORIGIN, 4);
    expect(await eventCount()).toBe(before);
  });
});
