import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBilling, type BilledInvoice, type Billing } from '../../src/application/billing/billSubscription.js';
import { invoiceIdFor } from '../../src/application/invoice/invoiceIds.js';
import { createInvoiceCommands } from '../../src/application/invoice/commands.js';
import { billingAt, byInvoice, type BillingEvent } from '../../src/domain/billing/index.js';
import { customerDecider, customerStreamName } from '../../src/domain/customer/index.js';
import { amountDueOf, invoiceDecider, invoiceStreamName, type ExistingInvoice } from '../../src/domain/invoice/index.js';
import { subscriptionDecider, subscriptionStreamName, type SubscriptionCommand, type SubscriptionEvent } from '../../src/domain/subscription/index.js';
import { createPostgresEventStore, foldStream, handleCommand, type PostgresEventStore } from '../../src/eventstore/index.js';
import { countEvents } from '../contract/billing.js';
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

const customer = async (draftInvoices?: boolean): Promise<string> => {
  const customerId = `cus_${randomUUID().replaceAll('-', '')}`;
  await handleCommand(store, customerStreamName(customerId), customerDecider, {
    type: 'RegisterCustomer',
    data: { customerId, name: 'Acme', email: 'billing@acme.example', ...(draftInvoices !== undefined && { draftInvoices }), now: '2026-01-01T00:00:00.000Z' },
  }, context('2026-01-01T00:00:00.000Z'));
  return customerId;
};

const subscribe = async (at: string, amount = 1_000, draftInvoices?: boolean) => {
  const customerId = await customer(draftInvoices);
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

/** The invoice paid by a charge, as collections would record it. */
const payOff = async (invoiceId: string, at: string) => {
  const dunning = { retryDays: [1], graceDays: 5 };
  const on = (command: Parameters<typeof invoiceDecider.decide>[0], commandId: string) => handleCommand(store, invoiceStreamName(invoiceId), invoiceDecider, command, { ...context(at), commandId });
  await on({ type: 'AttemptPayment', data: { attempt: 1, paymentMethod: 'pm_ok', dunning, now: at } }, `attempt:${invoiceId}`);
  await on({ type: 'RecordPaymentResult', data: { attempt: 1, result: { outcome: 'succeeded', chargeId: `ch_${invoiceId}` }, dunning, now: at } }, `result:${invoiceId}`);
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
    const [april] = await billing.billSubscription(subscriptionId, now, origin);
    await payOff(april!.invoiceId, '2026-04-02T00:00:00.000Z');
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

  it('carries a paid period’s downgrade excess to the customer’s credit and applies it to the next invoice', async () => {
    const { subscriptionId, customerId } = await subscribe('2026-04-01T00:00:00.000Z', 2_000);
    now = new Date('2026-04-01T00:00:00.000Z');
    const [april] = await billing.billSubscription(subscriptionId, now, origin);
    await payOff(april!.invoiceId, '2026-04-02T00:00:00.000Z');
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
    // It bills 1000, of which the credit pays 500: 500 is due.
    expect(may!.total).toBe(1_000);
    expect(await invoiceOf(may!.invoiceId)).toMatchObject({ total: 1_000, creditApplied: 500, paid: 0 });
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

  describe('for a customer who reviews drafts', () => {
    const invoiceCommands = () => createInvoiceCommands({ store, db: database.db, clock: { now: () => now } });
    /** A DRAFT, which has no number at all (not even an undefined one). */
    const expectDraft = async (invoiceId: string) => {
      const invoice = await invoiceOf(invoiceId);
      expect(invoice.status).toBe('DRAFT');
      expect(invoice).not.toHaveProperty('number');
      return invoice;
    };

    it('leaves its invoice a DRAFT without a number through every rerun, until it is finalised; the setting counts when an invoice is created', async () => {
      const { subscriptionId, customerId } = await subscribe('2026-08-01T00:00:00.000Z', 1_000, true);
      now = new Date('2026-08-01T00:00:00.000Z');
      const august = invoiceIdFor(subscriptionId, 'period:2026-08-01T00:00:00.000Z');
      expect(await billing.billSubscription(subscriptionId, now, origin)).toEqual([{ invoiceId: august, total: 1_000, currency: 'usd' }]);
      expect(await expectDraft(august)).toMatchObject({ autoFinalize: false, total: 1_000 });

      // Reruns, at once and later, one of them alongside another instance: the draft is not finalised, and nothing is written for it.
      const events = await countEvents(database.db);
      expect(await billing.billSubscription(subscriptionId, now, origin)).toEqual([]);
      await Promise.all([billing.billSubscription(subscriptionId, now, origin), billing.billSubscription(subscriptionId, now, origin)]);
      expect(await countEvents(database.db)).toBe(events);
      now = new Date('2026-09-01T00:00:00.000Z');
      const september = invoiceIdFor(subscriptionId, 'period:2026-09-01T00:00:00.000Z');
      expect((await billing.billSubscription(subscriptionId, now, origin)).map((b) => b.invoiceId)).toEqual([september]);
      await expectDraft(august);
      await expectDraft(september);

      const finalized = await invoiceCommands().finalizeInvoice(august, origin);
      expect(finalized.newState).toMatchObject({ status: 'OPEN', number: expect.stringMatching(/^2026-\d{6}$/), finalizedAt: now.toISOString() });
      expect(await billing.billSubscription(subscriptionId, now, origin)).toEqual([]);
      expect(await invoiceOf(august)).toMatchObject({ status: 'OPEN', number: (finalized.newState as { number: string }).number });
      await expectDraft(september);

      // Drafts turned off: the next invoice is finalised as soon as it is built; September's draft stays one.
      await handleCommand(store, customerStreamName(customerId), customerDecider, { type: 'UpdateCustomer', data: { draftInvoices: false, now: '2026-09-15T00:00:00.000Z' } }, context('2026-09-15T00:00:00.000Z'));
      now = new Date('2026-10-01T00:00:00.000Z');
      const [october] = await billing.billSubscription(subscriptionId, now, origin);
      expect(october).toMatchObject({ invoiceId: invoiceIdFor(subscriptionId, 'period:2026-10-01T00:00:00.000Z'), number: expect.stringMatching(/^2026-\d{6}$/) });
      await expectDraft(september);
    });

    it("grants nothing of a draft's excess while it is under review, however often billing runs after a crash left the draft", async () => {
      const { subscriptionId, customerId } = await subscribe('2026-11-01T00:00:00.000Z', 3_000, true);
      now = new Date('2026-11-01T00:00:00.000Z');
      await billing.billSubscription(subscriptionId, now, origin);
      await handleCommand(store, subscriptionStreamName(subscriptionId), subscriptionDecider, { type: 'PauseSubscription', data: { by: 'request', now: '2026-11-21T00:00:00.000Z' } }, context('2026-11-21T00:00:00.000Z'));
      const pauseKey = `change:${(await store.readStream(subscriptionStreamName(subscriptionId))).at(-1)!.eventId}`;
      const invoiceId = invoiceIdFor(subscriptionId, pauseKey);
      // What a process that died after creating the pause's draft left behind: the engine's own items, carried to no balance yet.
      const events: BillingEvent[] = (await store.readStream(subscriptionStreamName(subscriptionId))).map((r) => ({ eventId: r.eventId, event: { type: r.type, data: r.data } as SubscriptionEvent }));
      const items = byInvoice(billingAt(events, '2026-11-21T00:00:00.000Z').items).get(pauseKey)!;
      await handleCommand(store, invoiceStreamName(invoiceId), invoiceDecider, {
        type: 'CreateInvoice',
        data: {
          invoiceId, customerId, subscriptionId, currency: 'usd', draft: true, cause: { kind: 'change', eventId: pauseKey.slice('change:'.length) }, now: '2026-11-21T00:00:00.000Z',
          lines: items.map((i) => ({ type: i.type, itemKey: i.key, description: i.description, quantity: i.quantity, unitAmount: i.unitAmount, amount: i.amount, currency: i.currency, period: i.period })),
        },
      }, context('2026-11-21T00:00:00.000Z'));
      expect(await creditOf(customerId)).toBe(0);

      now = new Date('2026-11-21T00:00:00.000Z');
      expect(await billing.billSubscription(subscriptionId, now, origin)).toEqual([]);
      // 10 of November's 30 days unused: 3000 × 10/30.
      expect((await invoiceOf(invoiceId)).lines.map((l) => [l.type, l.amount])).toEqual([['proration_credit', -1_000], ['credit_to_balance', 1_000]]);
      // Granted once it is finalised (collections, on InvoiceFinalized): a draft voided instead gives nothing to take back.
      expect(await creditOf(customerId)).toBe(0);
      expect(await billing.billSubscription(subscriptionId, now, origin)).toEqual([]);
      expect(await creditOf(customerId)).toBe(0);
      await expectDraft(invoiceId);
    });
  });
});

describe('credit for time not yet paid', () => {
  it('goes to the unpaid invoice that billed it, by an automatic credit note, never to the balance; a rerun issues none twice', async () => {
    const { subscriptionId, customerId } = await subscribe('2026-04-01T00:00:00.000Z', 2_000);
    now = new Date('2026-04-01T00:00:00.000Z');
    const [april] = await billing.billSubscription(subscriptionId, now, origin);
    await change(subscriptionId, '2026-04-16T00:00:00.000Z', 1_000);
    now = new Date('2026-04-16T00:00:00.000Z');
    const [downgrade] = await billing.billSubscription(subscriptionId, now, origin);
    // 15 of April's 30 days unused: 1000 back, all of it on April's invoice, which nobody paid.
    expect((await invoiceOf(downgrade!.invoiceId)).lines.map((l) => [l.type, l.amount])).toEqual([
      ['proration_credit', -1_000],
      ['proration_debit', 500],
      ['credit_to_invoice', 1_000],
    ]);
    expect(await invoiceOf(april!.invoiceId)).toMatchObject({
      status: 'OPEN',
      creditNotes: [{ automatic: true, reason: 'order_change', amount: 1_000, prePayment: 1_000, lines: [{ amount: 1_000 }] }],
    });
    expect(amountDueOf(await invoiceOf(april!.invoiceId))).toBe(1_000);
    expect(await creditOf(customerId)).toBe(0);
    expect(await billing.billSubscription(subscriptionId, now, origin)).toEqual([]);
    expect((await invoiceOf(april!.invoiceId)).creditNotes).toHaveLength(1);
  });
});
