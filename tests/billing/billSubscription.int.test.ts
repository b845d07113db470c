import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBilling, type BilledInvoice, type Billing } from '../../src/billing/billSubscription.js';
import { invoiceIdFor } from '../../src/billing/invoiceIds.js';
import { customerDecider, customerStreamName } from '../../src/domain/customer/index.js';
import { invoiceDecider, invoiceStreamName, type ExistingInvoice } from '../../src/domain/invoice/index.js';
import { subscriptionDecider, subscriptionStreamName, type SubscriptionCommand } from '../../src/domain/subscription/index.js';
import { createPostgresEventStore, foldStream, handleCommand, type PostgresEventStore } from '../../src/eventstore/index.js';
import { countEvents } from '../cascades/billing.js';
import { plan } from '../domain/billingFixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let database: TestDatabase;
let store: PostgresEventStore;
let now = new Date('2026-01-01T00:00:00.000Z');
let billing: { billSubscription: (...args: Parameters<Billing['billSubscription']>) => Promise<readonly BilledInvoice[]> };
const origin = { actor: { id: 'system:billing' }, source: 'scheduler', correlationId: 'billing-test' };

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 20 });
  store = createPostgresEventStore({ pool: database.pool });
  // A clock the test moves: every instant of billing is fixed by the test.
  const engine = createBilling({ store, db: database.db, clock: { now: () => now } });
  billing = { billSubscription: async (...args) => (await engine.billSubscription(...args)).invoices };
});
afterAll(async () => {
  await store?.close();
  await database?.close();
});

const context = (at: string) => ({ correlationId: randomUUID(), actor: { id: 'usr_test' }, source: 'api', occurredAt: new Date(at) });

const customer = async (): Promise<string> => {
  const customerId = `cus_${randomUUID().replaceAll('-', '')}`;
  await handleCommand(store, customerStreamName(customerId), customerDecider, {
    type: 'RegisterCustomer',
    data: { customerId, name: 'Acme', email: 'billing@acme.example', now: '2026-01-01T00:00:00.000Z' },
  }, context('2026-01-01T00:00:00.000Z'));
  return customerId;
};

const subscribe = async (at: string, amount = 1_000) => {
  const customerId = await customer();
  const subscriptionId = `sub_${randomUUID().replaceAll('-', '')}`;
  const command: SubscriptionCommand = {
    type: 'CreateSubscription',
    data: { subscriptionId, contract: { contractId: 'ctr_1', customerId, status: 'ACTIVE' }, plan: plan({ planId: `pln_${amount}`, amount }), quantity: 1, now: at },
  };
  await handleCommand(store, subscriptionStreamName(subscriptionId), subscriptionDecider, command, context(at));
  return { customerId, subscriptionId };
};

const change = (subscriptionId: string, at: string, amount: number) =>
  handleCommand(store, subscriptionStreamName(subscriptionId), subscriptionDecider, {
    type: 'ChangePlan',
    data: { plan: plan({ planId: `pln_${amount}`, amount }), now: at },
  }, context(at));

const invoiceOf = async (invoiceId: string): Promise<ExistingInvoice> => {
  const { state } = await foldStream(store, invoiceStreamName(invoiceId), invoiceDecider);
  if (state.status === 'NONE') throw new Error(`no invoice ${invoiceId}`);
  return state;
};

const creditOf = async (customerId: string) => {
  const { state } = await foldStream(store, customerStreamName(customerId), customerDecider);
  return state.status === 'registered' ? (state.credit.usd ?? 0) : undefined;
};

describe('billing a subscription from its stream', () => {
  it('bills every month end of a Jan 31 anchor once, numbered without gaps, and a rerun writes nothing', async () => {
    const { subscriptionId } = await subscribe('2026-01-31T10:00:00.000Z');
    now = new Date('2026-05-31T10:00:00.000Z');
    const billed = await billing.billSubscription(subscriptionId, now, origin);
    expect(billed.map((b) => b.total)).toEqual([1_000, 1_000, 1_000, 1_000, 1_000]);
    expect(billed.map((b) => b.number)).toEqual(['2026-000001', '2026-000002', '2026-000003', '2026-000004', '2026-000005']);
    const may = await invoiceOf(invoiceIdFor(subscriptionId, 'period:2026-05-31T10:00:00.000Z'));
    expect(may).toMatchObject({ status: 'OPEN', total: 1_000, lines: [expect.objectContaining({ type: 'plan_charge', period: { start: '2026-05-31T10:00:00.000Z', end: '2026-06-30T10:00:00.000Z' } })] });

    const events = await countEvents(database.db);
    expect(await billing.billSubscription(subscriptionId, now, origin)).toEqual([]);
    // Two instances at once bill nothing twice either.
    await Promise.all([billing.billSubscription(subscriptionId, now, origin), billing.billSubscription(subscriptionId, now, origin)]);
    expect(await countEvents(database.db)).toBe(events);
  });

  it("invoices a mid-period upgrade at +$5 (Stripe's example), on an invoice of its own", async () => {
    const { subscriptionId } = await subscribe('2026-04-01T00:00:00.000Z', 1_000);
    now = new Date('2026-04-01T00:00:00.000Z');
    await billing.billSubscription(subscriptionId, now, origin);
    const changed = await change(subscriptionId, '2026-04-16T00:00:00.000Z', 2_000);
    now = new Date('2026-04-16T00:00:00.000Z');
    const [upgrade] = await billing.billSubscription(subscriptionId, now, origin);
    expect(upgrade!.invoiceId).toBe(invoiceIdFor(subscriptionId, `change:${(await store.readStream(subscriptionStreamName(subscriptionId))).at(-1)!.eventId}`));
    expect((await invoiceOf(upgrade!.invoiceId)).lines.map((l) => [l.type, l.amount])).toEqual([
      ['proration_credit', -500],
      ['proration_debit', 1_000],
    ]);
    expect(upgrade!.total).toBe(500);
    expect(changed.newEvents).toHaveLength(1);
  });

  it('carries a downgrade’s excess to the customer’s credit and applies it to the next invoice', async () => {
    const { subscriptionId, customerId } = await subscribe('2026-04-01T00:00:00.000Z', 2_000);
    now = new Date('2026-04-01T00:00:00.000Z');
    await billing.billSubscription(subscriptionId, now, origin);
    await change(subscriptionId, '2026-04-16T00:00:00.000Z', 1_000);
    now = new Date('2026-04-16T00:00:00.000Z');
    const [downgrade] = await billing.billSubscription(subscriptionId, now, origin);
    const lines = (await invoiceOf(downgrade!.invoiceId)).lines.map((l) => [l.type, l.amount]);
    expect(lines).toEqual([
      ['proration_credit', -1_000],
      ['proration_debit', 500],
      ['credit_to_balance', 500],
    ]);
    expect(downgrade!.total).toBe(0);
    expect(await creditOf(customerId)).toBe(500);

    now = new Date('2026-05-01T00:00:00.000Z');
    const [may] = await billing.billSubscription(subscriptionId, now, origin);
    expect((await invoiceOf(may!.invoiceId)).lines.map((l) => [l.type, l.amount])).toEqual([
      ['plan_charge', 1_000],
      ['credit_applied', -500],
    ]);
    expect(may!.total).toBe(500);
    expect(await creditOf(customerId)).toBe(0);
    // A rerun applies no credit twice.
    expect(await billing.billSubscription(subscriptionId, now, origin)).toEqual([]);
    expect(await creditOf(customerId)).toBe(0);
  });

  it('finishes an invoice a crash left as a draft: numbers and finalises it, and creates nothing twice', async () => {
    const { subscriptionId, customerId } = await subscribe('2026-06-01T00:00:00.000Z');
    const invoiceId = invoiceIdFor(subscriptionId, 'period:2026-06-01T00:00:00.000Z');
    // What a process that died after creating the invoice left behind.
    await handleCommand(store, invoiceStreamName(invoiceId), invoiceDecider, {
      type: 'CreateInvoice',
      data: {
        invoiceId,
        customerId,
        subscriptionId,
        currency: 'usd',
        lines: [{ type: 'plan_charge', itemKey: 'charge:2026-06-01T00:00:00.000Z', description: 'pln_1000 × 1', quantity: 1, unitAmount: 1_000, amount: 1_000, currency: 'usd', period: { start: '2026-06-01T00:00:00.000Z', end: '2026-07-01T00:00:00.000Z' } }],
        cause: { kind: 'period', periodStart: '2026-06-01T00:00:00.000Z' },
        draft: false,
        now: '2026-06-01T00:00:00.000Z',
      },
    }, context('2026-06-01T00:00:00.000Z'));
    now = new Date('2026-06-02T00:00:00.000Z');
    const [finished] = await billing.billSubscription(subscriptionId, now, origin);
    expect(finished).toMatchObject({ invoiceId, number: expect.stringMatching(/^2026-\d{6}$/) });
    expect((await invoiceOf(invoiceId)).status).toBe('OPEN');
    expect(await billing.billSubscription(subscriptionId, now, origin)).toEqual([]);
  });

  it('applies credit once when a crash came between applying it and creating the invoice', async () => {
    const { subscriptionId, customerId } = await subscribe('2026-07-01T00:00:00.000Z');
    const at = '2026-07-01T00:00:00.000Z';
    await handleCommand(store, customerStreamName(customerId), customerDecider, {
      type: 'GrantCredit',
      data: { amount: 300, currency: 'usd', reason: 'goodwill', now: at },
    }, context(at));
    const invoiceId = invoiceIdFor(subscriptionId, `period:${at}`);
    // What a process that died after applying the credit left behind.
    await handleCommand(store, customerStreamName(customerId), customerDecider, {
      type: 'ApplyCredit',
      data: { amount: 300, currency: 'usd', invoiceId, now: at },
    }, context(at));
    now = new Date(at);
    const [july] = await billing.billSubscription(subscriptionId, now, origin);
    expect((await invoiceOf(july!.invoiceId)).lines.map((l) => [l.type, l.amount])).toEqual([
      ['plan_charge', 1_000],
      ['credit_applied', -300],
    ]);
    expect(await creditOf(customerId)).toBe(0);
  });
});
