import { presentInvoice } from '../../src/application/invoice/index.js';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBilling } from '../../src/application/billing/billSubscription.js';
import { invoiceIdFor } from '../../src/application/invoice/invoiceIds.js';
import { customerDecider, customerStreamName } from '../../src/domain/customer/index.js';
import { invoiceDecider, invoiceStreamName, type InvoiceCommand } from '../../src/domain/invoice/index.js';
import { subscriptionDecider, subscriptionStreamName, type SubscriptionCommand } from '../../src/domain/subscription/index.js';
import { createPostgresEventStore, foldStream, handleCommand, type PostgresEventStore, type RecordedEvent } from '../../src/eventstore/index.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { CUSTOMERS_PROJECTION, customersProjection } from '../../src/projections/customer/index.js';
import { ProjectionRunner } from '../../src/projections/runtime/index.js';
import { getInvoice, INVOICES_PROJECTION, invoicesProjection, listInvoices, type InvoiceKey } from '../../src/projections/invoice/index.js';
import { plan } from '../domain/billingFixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { expectPrefixReplaysChangeNothing } from './replayProperty.js';

const ANN = `usr_${'a'.repeat(32)}`;
const DRAFT = `inv_${'d'.repeat(32)}`;
const VOIDED_DRAFT = `inv_${'e'.repeat(32)}`;
const id = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '')}`;
const context = (at: string) => ({ correlationId: randomUUID(), actor: { id: 'usr_test' }, source: 'api', occurredAt: new Date(at) });
const origin = { actor: { id: 'system:billing' }, source: 'scheduler', correlationId: 'invoices-test' };

let database: TestDatabase;
let store: PostgresEventStore;
let history: RecordedEvent[];
/** Who is who in the scenario below. */
const s = { c1: id('cus'), c2: id('cus'), s1: id('sub'), s2: id('sub'), jan: '', feb: '', mar: '', apr: '', change: '', may: '', changeEventId: '' };

const subscribe = async (customerId: string, subscriptionId: string, at: string, amount: number, ownerUserId?: string) => {
  await handleCommand(store, customerStreamName(customerId), customerDecider, {
    type: 'RegisterCustomer',
    data: { customerId, name: 'Acme', email: 'billing@acme.example', ...(ownerUserId && { ownerUserId }), now: at },
  }, context(at));
  const command: SubscriptionCommand = {
    type: 'CreateSubscription',
    data: { subscriptionId, contract: { contractId: 'ctr_1', customerId, status: 'ACTIVE' }, plan: plan({ planId: `pln_${amount}`, amount }), quantity: 1, now: at },
  };
  await handleCommand(store, subscriptionStreamName(subscriptionId), subscriptionDecider, command, context(at));
};

const onInvoice = (invoiceId: string, command: InvoiceCommand, at: string) =>
  handleCommand(store, invoiceStreamName(invoiceId), invoiceDecider, command, context(at));

const draft = (invoiceId: string, at: string) =>
  onInvoice(invoiceId, {
    type: 'CreateInvoice',
    data: {
      invoiceId,
      customerId: s.c2,
      subscriptionId: s.s2,
      currency: 'usd',
      lines: [{ type: 'plan_charge', itemKey: `manual:${invoiceId}`, description: 'Setup', quantity: 3, unitAmount: 200, amount: 600, currency: 'usd', period: { start: at, end: '2026-07-01T00:00:00.000Z' } }],
      cause: { kind: 'period', periodStart: at },
      draft: true,
      now: at,
    },
  }, at);

/**
 * Two subscriptions billed by the billing engine: three month ends of a Jan 31
 * anchor in one catch-up run, and a downgrade whose credit goes to the
 * balance and onto the next invoice. Then every status: paid after being
 * uncollectible, voided, a draft and a voided draft.
 */
beforeAll(async () => {
  database = await createTestDatabase();
  store = createPostgresEventStore({ pool: database.pool, connectionString: database.url, pollIntervalMs: 100 });
  await store.start();
  let now = new Date();
  const billing = createBilling({ store, db: database.db, clock: { now: () => now } });
  const bill = async (subscriptionId: string, at: string) => {
    now = new Date(at);
    await billing.billSubscription(subscriptionId, now, origin);
  };

  await subscribe(s.c1, s.s1, '2026-01-31T10:00:00.000Z', 1_000, ANN);
  await bill(s.s1, '2026-03-31T10:00:00.000Z');
  const month = (day: string) => invoiceIdFor(s.s1, `period:2026-${day}T10:00:00.000Z`);
  Object.assign(s, { jan: month('01-31'), feb: month('02-28'), mar: month('03-31') });

  await subscribe(s.c2, s.s2, '2026-04-01T00:00:00.000Z', 2_000);
  await bill(s.s2, '2026-04-01T00:00:00.000Z');
  // April is paid, so the downgrade's credit is of time paid for: it goes to the balance.
  const paying = { retryDays: [1], graceDays: 5 };
  const april = invoiceIdFor(s.s2, 'period:2026-04-01T00:00:00.000Z');
  await onInvoice(april, { type: 'AttemptPayment', data: { attempt: 1, paymentMethod: 'pm_ok', dunning: paying, now: '2026-04-02T00:00:00.000Z' } }, '2026-04-02T00:00:00.000Z');
  await onInvoice(
    april,
    { type: 'RecordPaymentResult', data: { attempt: 1, result: { outcome: 'succeeded', chargeId: 'ch_april' }, dunning: paying, now: '2026-04-02T00:00:00.000Z' } },
    '2026-04-02T00:00:00.000Z',
  );
  const at = '2026-04-16T00:00:00.000Z';
  await handleCommand(store, subscriptionStreamName(s.s2), subscriptionDecider, { type: 'ChangePlan', data: { plan: plan({ planId: 'pln_1000', amount: 1_000 }), now: at } }, context(at));
  s.changeEventId = (await store.readStream(subscriptionStreamName(s.s2))).at(-1)!.eventId;
  await bill(s.s2, at);
  await bill(s.s2, '2026-05-01T00:00:00.000Z');
  s.apr = invoiceIdFor(s.s2, 'period:2026-04-01T00:00:00.000Z');
  s.change = invoiceIdFor(s.s2, `change:${s.changeEventId}`);
  s.may = invoiceIdFor(s.s2, 'period:2026-05-01T00:00:00.000Z');

  await onInvoice(s.feb, { type: 'MarkUncollectible', data: { now: '2026-04-15T00:00:00.000Z' } }, '2026-04-15T00:00:00.000Z');
  const dunning = { retryDays: [1], graceDays: 5 };
  await onInvoice(s.feb, { type: 'AttemptPayment', data: { attempt: 1, paymentMethod: 'pm_ok', dunning, now: '2026-04-20T00:00:00.000Z' } }, '2026-04-20T00:00:00.000Z');
  await onInvoice(
    s.feb,
    { type: 'RecordPaymentResult', data: { attempt: 1, result: { outcome: 'succeeded', chargeId: 'pay_1' }, dunning, now: '2026-04-20T00:00:00.000Z' } },
    '2026-04-20T00:00:00.000Z',
  );
  await onInvoice(s.mar, { type: 'VoidInvoice', data: { reason: 'billed twice', now: '2026-04-02T00:00:00.000Z' } }, '2026-04-02T00:00:00.000Z');
  await draft(DRAFT, '2026-06-01T00:00:00.000Z');
  await draft(VOIDED_DRAFT, '2026-06-02T00:00:00.000Z');
  await onInvoice(VOIDED_DRAFT, { type: 'VoidInvoice', data: { now: '2026-06-03T00:00:00.000Z' } }, '2026-06-03T00:00:00.000Z');
  history = await store.readAll();
});
afterAll(async () => {
  await store.close();
  await database.close();
});

const snapshot = async () => ({
  invoices: await database.db.selectFrom('read.invoices').selectAll().orderBy('invoice_id').execute(),
  lines: await database.db.selectFrom('read.invoice_lines').selectAll().orderBy('invoice_id').orderBy('line_no').execute(),
});
const apply = (events: readonly RecordedEvent[]) =>
  database.db.transaction().execute((trx) => invoicesProjection.apply(trx, events.filter((e) => e.streamName.startsWith('invoice-'))));
const reset = () => database.db.transaction().execute((trx) => invoicesProjection.reset(trx));
const instant = (text: string) => new Date(text);

describe('the invoices read model, fed by the runner', () => {
  let runner: ProjectionRunner;
  beforeAll(async () => {
    runner = new ProjectionRunner({ db: database.db, store, logger: createSilentLogger(), projections: [customersProjection, invoicesProjection] });
    runner.start();
    expect(await runner.waitFor([CUSTOMERS_PROJECTION, INVOICES_PROJECTION], history.at(-1)!.position, 20_000)).toBe(true);
  });
  afterAll(() => runner.stop());

  it('holds one row per invoice: its number, amounts, cause, period, every status instant reached, and the revision', async () => {
    const rows = new Map((await snapshot()).invoices.map((r) => [r.invoice_id, r]));
    const run = instant('2026-03-31T10:00:00.000Z');
    expect(rows.get(s.jan)).toEqual({
      invoice_id: s.jan, number: '2026-000001', customer_id: s.c1, subscription_id: s.s1, status: 'OPEN', currency: 'usd',
      subtotal: '1000', discount: '0', tax: '0', total: '1000', credit_applied: '0', amount_paid: '0', amount_due: '1000', cause_kind: 'period', cause_event_id: null,
      period_start: instant('2026-01-31T10:00:00.000Z'), period_end: instant('2026-02-28T10:00:00.000Z'),
      created_at: run, finalized_at: run, voided_at: null, paid_at: null, marked_uncollectible_at: null, revision: '1', updated_at: run,
      attempts: 0, next_retry_at: null, grace_ends_at: null, dunning_stopped_at: null, last_failure_code: null, uncollectible_reason: null,
    });
    expect(rows.get(s.feb)).toMatchObject({
      number: '2026-000002', status: 'PAID', finalized_at: run, marked_uncollectible_at: instant('2026-04-15T00:00:00.000Z'), uncollectible_reason: null,
      paid_at: instant('2026-04-20T00:00:00.000Z'), updated_at: instant('2026-04-20T00:00:00.000Z'), revision: '5',
      amount_paid: '1000', amount_due: '0', attempts: 1,
    });
    expect(rows.get(s.mar)).toMatchObject({ number: '2026-000003', status: 'VOID', voided_at: instant('2026-04-02T00:00:00.000Z'), paid_at: null });
    // A change bills from the change on: its period starts at its earliest line, and its cause names the event. Nothing is due: paid as it is finalised.
    expect(rows.get(s.change)).toMatchObject({
      status: 'PAID', subtotal: '0', total: '0', amount_due: '0', cause_kind: 'change', cause_event_id: s.changeEventId,
      period_start: instant('2026-04-16T00:00:00.000Z'), period_end: instant('2026-05-01T00:00:00.000Z'),
    });
    expect(rows.get(DRAFT)).toMatchObject({ status: 'DRAFT', number: null, finalized_at: null, total: '600', amount_due: '600', revision: '0' });
    // It bills 1000; the downgrade's credit paid 500 of it.
    expect(rows.get(s.may)).toMatchObject({ total: '1000', credit_applied: '500', amount_due: '500' });
    expect(rows.get(VOIDED_DRAFT)).toMatchObject({ status: 'VOID', number: null, finalized_at: null, voided_at: instant('2026-06-03T00:00:00.000Z') });
    expect(rows.size).toBe(8);
  });

  it('keeps each invoice’s lines in its order, credit to the balance and credit applied included', async () => {
    const lines = (await snapshot()).lines;
    const of = (invoiceId: string) => lines.filter((l) => l.invoice_id === invoiceId).map((l) => [l.line_no, l.type, l.amount]);
    expect(of(s.change)).toEqual([[1, 'proration_credit', '-1000'], [2, 'proration_debit', '500'], [3, 'credit_to_balance', '500']]);
    expect(of(s.may)).toEqual([[1, 'plan_charge', '1000'], [2, 'credit_applied', '-500']]);
    expect(lines.find((l) => l.invoice_id === DRAFT)).toEqual({
      invoice_id: DRAFT, line_no: 1, type: 'plan_charge', item_key: `manual:${DRAFT}`, description: 'Setup', quantity: '3', unit_amount: '200',
      amount: '600', currency: 'usd', period_start: instant('2026-06-01T00:00:00.000Z'), period_end: instant('2026-07-01T00:00:00.000Z'),
      tax_rate_id: null, discount: null, tax: null, inclusive: null, coupon_id: null,
    });
  });

  it('presents every invoice exactly as its folded stream does', async () => {
    for (const invoiceId of [s.jan, s.feb, s.mar, s.apr, s.change, s.may, DRAFT, VOIDED_DRAFT]) {
      const { state, revision } = await foldStream(store, invoiceStreamName(invoiceId), invoiceDecider);
      if (state.status === 'NONE') throw new Error(`no invoice ${invoiceId}`);
      const view = (await getInvoice(database.db, invoiceId))!;
      // A row has no payments (they are in read.payments); everything else is alike.
      const { payments, ...single } = presentInvoice(state, revision!);
      expect(payments).toHaveLength(invoiceId === s.feb || invoiceId === s.apr ? 1 : 0);
      expect(presentInvoice(view, view.revision), invoiceId).toEqual(single);
    }
    expect(await getInvoice(database.db, `inv_${'0'.repeat(32)}`)).toBeUndefined();
  });

  it('lists in (period_start, invoice_id) order, by customer, subscription, status, period and owner, a page at a time', async () => {
    const ids = async (filter: Parameters<typeof listInvoices>[1]) => (await listInvoices(database.db, filter)).map((v) => v.invoiceId);
    const all = [s.jan, s.feb, s.mar, s.apr, s.change, s.may, DRAFT, VOIDED_DRAFT];
    expect(await ids({ limit: 100 })).toEqual(all);
    expect(await ids({ limit: 100, customerId: s.c1 })).toEqual([s.jan, s.feb, s.mar]);
    expect(await ids({ limit: 100, subscriptionId: s.s2 })).toEqual([s.apr, s.change, s.may, DRAFT, VOIDED_DRAFT]);
    expect(await ids({ limit: 100, status: 'VOID' })).toEqual([s.mar, VOIDED_DRAFT]);
    expect(await ids({ limit: 100, periodFrom: '2026-03-31T10:00:00.000Z', periodTo: '2026-05-01T00:00:00.000Z' })).toEqual([s.mar, s.apr, s.change]);
    expect(await ids({ limit: 100, ownerUserId: ANN, status: 'OPEN' })).toEqual([s.jan]);
    const walked: string[] = [];
    let after: InvoiceKey | undefined;
    for (let pageNo = 0; pageNo < 5; pageNo++) {
      const rows = await listInvoices(database.db, { limit: 3, ...(after && { after }) });
      walked.push(...rows.slice(0, 3).map((v) => v.invoiceId));
      if (rows.length <= 3) break;
      after = { periodStart: rows[2]!.periodStart, invoiceId: rows[2]!.invoiceId };
    }
    expect(walked).toEqual(all);
    expect((await listInvoices(database.db, { limit: 100, customerId: s.c2 })).find((v) => v.invoiceId === s.may)!.lines).toHaveLength(2);
  });

  it('rebuilds to the same rows, and so does every batching of the history', async () => {
    const live = await snapshot();
    await runner.rebuild(INVOICES_PROJECTION);
    expect(await runner.waitFor([INVOICES_PROJECTION], history.at(-1)!.position, 20_000)).toBe(true);
    expect(await snapshot()).toEqual(live);
    await runner.stop();
    await reset();
    await apply(history);
    expect(await snapshot()).toEqual(live);
    await reset();
    for (const event of history) await apply([event]);
    expect(await snapshot()).toEqual(live);
  });
});

it('replaying any prefix, over the whole history or over that prefix, changes nothing', () =>
  expectPrefixReplaysChangeNothing({ history, apply, reset, snapshot }));
