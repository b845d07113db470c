import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBilling } from '../../src/application/billing/billSubscription.js';
import { createPostgresEventStore, type PostgresEventStore } from '../../src/eventstore/index.js';
import { allEvents, eventsOf, numbersOf, ORIGIN, setup, transactionsOf } from '../support/billingSetup.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

type Side = { database: TestDatabase; store: PostgresEventStore };
let batched: Side;
let oneByOne: Side;

const open = async (): Promise<Side> => {
  const database = await createTestDatabase({ poolSize: 10 });
  return { database, store: createPostgresEventStore({ pool: database.pool }) };
};
beforeAll(async () => {
  [batched, oneByOne] = await Promise.all([open(), open()]);
});
afterAll(async () => {
  for (const side of [batched, oneByOne]) {
    await side?.store.close();
    await side?.database.close();
  }
});

/** The same mix of subscriptions, written the same way, in a store. */
const mix = async (side: Side) => {
  const s = setup(side.store);
  const jan = (day: number) => `2026-01-${String(day).padStart(2, '0')}T00:00:00.000Z`;
  await s.customer('cus_monthly', jan(1));
  await s.subscription('sub_monthly', 'cus_monthly', jan(1));
  await s.customer('cus_yearly', jan(1));
  await s.subscription('sub_yearly', 'cus_yearly', jan(5), { planId: 'pln_year', amount: 12_000, interval: 'year' });
  await s.customer('cus_trial', jan(1));
  await s.subscription('sub_trial', 'cus_trial', jan(3), { trialDays: 10 });
  // Credit pays January before the change, so the change's credit is of time paid for: it stays on the change's invoice.
  await s.customer('cus_upgrade', jan(1), { credit: 1_000 });
  await s.subscription('sub_upgrade', 'cus_upgrade', jan(1));
  await s.changePlan('sub_upgrade', jan(16), { planId: 'pln_plus', amount: 2_000 });
  // One customer, two subscriptions: the first's January paid by credit, its pause credits the balance, which the second's first invoice takes.
  await s.customer('cus_shared', jan(1), { credit: 1_000 });
  await s.subscription('sub_shared_1', 'cus_shared', jan(1));
  await s.pause('sub_shared_1', jan(11));
  await s.subscription('sub_shared_2', 'cus_shared', '2026-02-20T00:00:00.000Z');
  await s.customer('cus_reviews', jan(1), { draftInvoices: true });
  await s.subscription('sub_reviews', 'cus_reviews', jan(1));
};
const IDS = ['sub_monthly', 'sub_yearly', 'sub_trial', 'sub_upgrade', 'sub_shared_1', 'sub_shared_2', 'sub_reviews', 'sub_missing'];
const UNTIL = new Date('2026-03-15T00:00:00.000Z');

describe('billing in a batch', () => {
  it('writes exactly what billing one by one writes: the same streams, event ids, types, data and numbers', async () => {
    await Promise.all([mix(batched), mix(oneByOne)]);
    const clock = { now: () => UNTIL };
    const viaBatch = createBilling({ store: batched.store, db: batched.database.db, clock }).many;
    // The same store without its batch: billManyWith bills one subscription at a time. Concurrency 1 keeps the order the batch decides in.
    const viaOne = createBilling({ store: { ...oneByOne.store, batch: undefined }, db: oneByOne.database.db, clock }).many;
    const [a, b] = [await viaBatch.complete(await viaBatch.prepare(IDS, UNTIL), ORIGIN, 1), await viaOne.complete(await viaOne.prepare(IDS, UNTIL), ORIGIN, 1)];
    expect([...a.values()].every((o) => o.status === 'fulfilled')).toBe(true);
    expect([...a.entries()].sort()).toEqual([...b.entries()].sort());

    const written = await allEvents(batched.database.db);
    expect(written).toEqual(await allEvents(oneByOne.database.db));
    expect(await numbersOf(batched.database.db, 2026)).toEqual(await numbersOf(oneByOne.database.db, 2026));

    // The mix is what it claims to be (and the batch really wrote it, in one transaction).
    expect(await transactionsOf(batched.database.db, ORIGIN.correlationId)).toBe(1);
    expect(await transactionsOf(oneByOne.database.db, ORIGIN.correlationId)).toBeGreaterThan(1);
    const types = written.map((e) => e.type);
    expect(types.filter((t) => t === 'InvoiceCreated').length).toBeGreaterThan(types.filter((t) => t === 'InvoiceFinalized').length);
    const lines = written.flatMap((e) => (e.type === 'InvoiceCreated' ? (e.data as { lines: { type: string }[] }).lines.map((l) => l.type) : []));
    for (const line of ['plan_charge', 'proration_credit', 'proration_debit', 'credit_to_balance', 'credit_applied']) expect(lines).toContain(line);
    const shared = written.filter((e) => e.stream_name === 'customer-cus_shared').map((e) => [e.type, (e.data as { balanceAfter?: number }).balanceAfter]);
    // 1000 pays the first's January; the pause's 21 days back (1000 × 21/31) go to the second's first invoice.
    expect(shared).toEqual([
      ['CustomerRegistered', undefined],
      ['CustomerCreditGranted', 1_000],
      ['CustomerCreditApplied', 0],
      ['CustomerCreditGranted', 677],
      ['CustomerCreditApplied', 0],
    ]);
  });

  it('applies one customer’s credit once in total across two subscriptions of one batch, never below zero, with no gap in its revisions', async () => {
    const { store, database } = batched;
    const s = setup(store);
    const at = '2027-02-01T00:00:00.000Z';
    await s.customer('cus_credit', at, { credit: 1_500 });
    await s.subscription('sub_credit_1', 'cus_credit', at);
    await s.subscription('sub_credit_2', 'cus_credit', at);
    const until = new Date('2027-03-01T00:00:00.000Z');
    const { many } = createBilling({ store, db: database.db, clock: { now: () => until } });
    const origin = { ...ORIGIN, correlationId: 'credit-across-a-batch' };
    const outcomes = await many.complete(await many.prepare(['sub_credit_1', 'sub_credit_2'], until), origin, 4);
    const totals = [...outcomes.values()].flatMap((o) => (o.status === 'fulfilled' ? o.value.invoices.map((i) => i.total) : []));
    // Four invoices of 1000 (what each bills); 1500 of credit goes to the first two (1000, then 500), none to the rest: below.
    expect(totals).toEqual([1_000, 1_000, 1_000, 1_000]);

    const customer = await eventsOf(database.db, 'customer-cus_credit');
    expect(customer.map((e) => Number(e.revision))).toEqual(customer.map((_, i) => i));
    const applied = customer.filter((e) => e.type === 'CustomerCreditApplied');
    expect(applied.map((e) => [e.data.amount, e.data.balanceAfter])).toEqual([
      [1_000, 500],
      [500, 0],
    ]);
    const invoices = (await eventsOf(database.db, 'sub_credit_')).filter((e) => e.stream_name.startsWith('invoice-'));
    // Written by one transaction, the customer's applications with the invoices.
    expect(await transactionsOf(database.db, origin.correlationId)).toBe(1);
    const creditLines = invoices.flatMap((e) => (e.type === 'InvoiceCreated' ? (e.data.lines as { type: string; amount: number }[]) : [])).filter((l) => l.type === 'credit_applied');
    expect(creditLines.map((l) => l.amount).sort()).toEqual([-1_000, -500]);
  });
});
