import { presentInvoice } from '../../src/application/invoice/index.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoiceDecider, invoiceStreamName } from '../../src/domain/invoice/index.js';
import { createPostgresEventStore, foldStream, type PostgresEventStore, type RecordedEvent } from '../../src/eventstore/index.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { ProjectionRunner, type Projection } from '../../src/projections/runtime/index.js';
import { getInvoice, INVOICES_PROJECTION, invoicesProjection } from '../../src/projections/invoice/index.js';
import { listPayments, PAYMENTS_PROJECTION, paymentsProjection, type PaymentKey } from '../../src/projections/payment/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { at, CUSTOMER, INV, runPaymentsScenario, SUBSCRIPTION } from './paymentsScenario.js';
import { expectPrefixReplaysChangeNothing } from './replayProperty.js';

let database: TestDatabase;
let store: PostgresEventStore;
let history: RecordedEvent[];

beforeAll(async () => {
  database = await createTestDatabase();
  store = createPostgresEventStore({ pool: database.pool, connectionString: database.url, pollIntervalMs: 100 });
  await store.start();
  await runPaymentsScenario(store);
  history = await store.readAll();
});
afterAll(async () => {
  await store.close();
  await database.close();
});

const snapshot = async () => ({
  invoices: await database.db.selectFrom('read.invoices').selectAll().orderBy('invoice_id').execute(),
  payments: await database.db.selectFrom('read.payments').selectAll().orderBy('invoice_id').orderBy('attempt').execute(),
  whom: await database.db.selectFrom('read.payment_invoices').selectAll().orderBy('invoice_id').execute(),
});
/** As the runner hands them out: each projection its own stream's events, in one transaction per batch. */
const applyWith = (projections: readonly Projection[]) => (events: readonly RecordedEvent[]) =>
  database.db.transaction().execute(async (trx) => {
    for (const p of projections) await p.apply(trx, events.filter((e) => e.streamName.startsWith('invoice-')));
  });
const apply = applyWith([invoicesProjection, paymentsProjection]);
const reset = () =>
  database.db.transaction().execute(async (trx) => {
    await invoicesProjection.reset(trx);
    await paymentsProjection.reset(trx);
  });
const instant = (text: string) => new Date(text);

describe('payments and dunning in the read models', () => {
  beforeAll(async () => {
    await reset();
    await apply(history);
  });

  it('keeps each invoice’s dunning: attempts, the retry while OPEN, grace, the stop, the last failure and why it was written off', async () => {
    const rows = new Map((await snapshot()).invoices.map((r) => [r.invoice_id, r]));
    const dunning = (invoiceId: string) => {
      const { status, attempts, next_retry_at, grace_ends_at, dunning_stopped_at, last_failure_code, uncollectible_reason } = rows.get(invoiceId)!;
      return { status, attempts, next_retry_at, grace_ends_at, dunning_stopped_at, last_failure_code, uncollectible_reason };
    };
    const none = { next_retry_at: null, grace_ends_at: null, dunning_stopped_at: null, uncollectible_reason: null };
    expect(dunning(INV.paid)).toEqual({ ...none, status: 'PAID', attempts: 3, last_failure_code: 'insufficient_funds' });
    // Grace began with the missing payment method, moved by the extension; the hard decline in grace kept it; it ended.
    expect(dunning(INV.graceEnded)).toEqual({
      ...none, status: 'UNCOLLECTIBLE', attempts: 2, grace_ends_at: instant(at('06-05', 1)), last_failure_code: 'card_declined', uncollectible_reason: 'grace_ended',
    });
    expect(dunning(INV.stopped)).toEqual({ ...none, status: 'OPEN', attempts: 2, dunning_stopped_at: instant(at('05-01', 12)), last_failure_code: 'expired_card' });
    // The decline after the write-off named a retry day; no retry runs for an invoice no longer OPEN.
    expect(dunning(INV.writtenOff)).toEqual({ ...none, status: 'UNCOLLECTIBLE', attempts: 2, last_failure_code: 'insufficient_funds' });
    expect(dunning(INV.pending)).toEqual({ ...none, status: 'OPEN', attempts: 1, last_failure_code: null });
    expect(dunning(INV.voided)).toEqual({ ...none, status: 'VOID', attempts: 1, last_failure_code: 'insufficient_funds' });
    expect(dunning(INV.voidedInGrace)).toEqual({ ...none, status: 'VOID', attempts: 1, last_failure_code: 'card_declined' });
    expect(dunning(INV.inGrace)).toEqual({ ...none, status: 'OPEN', attempts: 3, grace_ends_at: instant(at('06-03', 1)), last_failure_code: 'insufficient_funds' });
    expect(dunning(INV.retrying)).toEqual({ ...none, status: 'OPEN', attempts: 1, next_retry_at: instant(at('05-02', 1)), last_failure_code: 'insufficient_funds' });
    expect(dunning(INV.stoppedThenPaid)).toEqual({ ...none, status: 'PAID', attempts: 2, dunning_stopped_at: instant(at('05-01', 12)), last_failure_code: 'insufficient_funds' });
    expect(dunning(INV.paidAtOnce)).toEqual({ ...none, status: 'PAID', attempts: 1, last_failure_code: null });
    expect(dunning(INV.untouched)).toEqual({ ...none, status: 'OPEN', attempts: 0, last_failure_code: null });
    expect(rows.get(INV.graceEnded)).toMatchObject({ marked_uncollectible_at: instant(at('06-05', 1)), updated_at: instant(at('06-05', 1)) });
    expect(rows.get(INV.retrying)).toMatchObject({ updated_at: instant(at('05-01', 1)) });
  });

  it('holds one payment row per attempt, from the attempt to its result, whom it bills from the invoice’s creation', async () => {
    const { payments } = await snapshot();
    expect(payments).toHaveLength(19);
    const row = (invoiceId: string, attempt: number) => payments.find((p) => p.invoice_id === invoiceId && p.attempt === attempt);
    expect(row(INV.graceEnded, 1)).toEqual({
      invoice_id: INV.graceEnded, attempt: 1, customer_id: CUSTOMER.first, subscription_id: SUBSCRIPTION.first, amount: '1000', currency: 'usd',
      payment_method: null, idempotency_key: `${INV.graceEnded}:attempt:1`, status: 'FAILED', failure_code: 'no_payment_method', hard: true,
      charge_id: null, attempted_at: instant(at('05-01', 1)), settled_at: instant(at('05-01', 1)), revision: '3',
    });
    expect(row(INV.graceEnded, 2)).toMatchObject({ status: 'FAILED', failure_code: 'card_declined', hard: true, charge_id: `ch_${INV.graceEnded}_2`, payment_method: 'pm_card' });
    expect(row(INV.pending, 1)).toMatchObject({
      customer_id: CUSTOMER.second, subscription_id: SUBSCRIPTION.second, payment_method: 'pm_ok', status: 'PENDING',
      failure_code: null, hard: null, charge_id: null, settled_at: null, revision: '2',
    });
    expect(row(INV.paid, 3)).toMatchObject({ status: 'SUCCEEDED', failure_code: null, hard: null, charge_id: `ch_${INV.paid}_3`, settled_at: instant(at('05-04', 2)), revision: '7' });
    expect(row(INV.paid, 1)).toMatchObject({ status: 'FAILED', hard: false, settled_at: instant(at('05-01', 1)) });
    expect(row(INV.untouched, 1)).toBeUndefined();
  });

  it('presents each invoice’s dunning from a row exactly as from its folded stream, and each attempt as read.payments has it', async () => {
    for (const invoiceId of Object.values(INV)) {
      const { state, revision } = await foldStream(store, invoiceStreamName(invoiceId), invoiceDecider);
      if (state.status === 'NONE') throw new Error(`no invoice ${invoiceId}`);
      const view = (await getInvoice(database.db, invoiceId))!;
      const { payments, ...single } = presentInvoice(state, revision!);
      expect(presentInvoice(view, view.revision), invoiceId).toEqual(single);
      const rows = await listPayments(database.db, { invoiceId, limit: 100 });
      expect(payments, invoiceId).toEqual(
        rows.map(({ attempt, paymentMethod, status, failureCode, hard, chargeId, attemptedAt, settledAt }) => ({ attempt, paymentMethod, status, failureCode, hard, chargeId, attemptedAt, settledAt })),
      );
    }
    const present = async (invoiceId: string) => presentInvoice((await getInvoice(database.db, invoiceId))!, 0n).dunning;
    expect(await present(INV.retrying)).toEqual({ attempts: 1, nextRetryAt: at('05-02', 1), graceEndsAt: null, stoppedAt: null, lastFailureCode: 'insufficient_funds' });
    expect(await present(INV.graceEnded)).toMatchObject({ nextRetryAt: null, graceEndsAt: at('06-05', 1) });
    // Paid: the stream forgets a stop once a payment succeeds, so neither shows one.
    expect(await present(INV.stoppedThenPaid)).toMatchObject({ stoppedAt: null, attempts: 2 });
    expect(await present(INV.stopped)).toMatchObject({ stoppedAt: at('05-01', 12), nextRetryAt: null });
    expect(await present(INV.paidAtOnce)).toBeNull();
  });

  it('lists payments oldest first, by invoice, customer and status, a page at a time', async () => {
    const keys = async (filter: Parameters<typeof listPayments>[1]) => (await listPayments(database.db, filter)).map((p) => `${p.invoiceId}#${p.attempt}`);
    expect(await keys({ invoiceId: INV.paid, limit: 100 })).toEqual([1, 2, 3].map((n) => `${INV.paid}#${n}`));
    // Two attempts at one instant are in invoice order.
    expect(await keys({ customerId: CUSTOMER.second, limit: 100 })).toEqual([`${INV.stopped}#1`, `${INV.pending}#1`, `${INV.stopped}#2`]);
    expect(await keys({ status: 'PENDING', limit: 100 })).toEqual([`${INV.pending}#1`]);
    expect(await keys({ status: 'SUCCEEDED', limit: 100 })).toEqual([`${INV.paidAtOnce}#1`, `${INV.stoppedThenPaid}#2`, `${INV.paid}#3`]);
    const all = await keys({ limit: 100 });
    expect(all).toHaveLength(19);
    const walked: string[] = [];
    let after: PaymentKey | undefined;
    for (let pageNo = 0; pageNo < 10; pageNo++) {
      const rows = await listPayments(database.db, { limit: 4, ...(after && { after }) });
      walked.push(...rows.slice(0, 4).map((p) => `${p.invoiceId}#${p.attempt}`));
      if (rows.length <= 4) break;
      after = rows[3]!;
    }
    expect(walked).toEqual(all);
  });

  it('has partial indexes for the scheduler’s retries and ends of grace, which serve its queries', async () => {
    const { rows } = await sql<{ indexname: string; indexdef: string }>`
      select indexname, indexdef from pg_indexes where schemaname = 'read' and tablename = 'invoices' and indexname in ('invoices_next_retry_idx', 'invoices_grace_ends_idx')
      order by indexname`.execute(database.db);
    expect(rows.map((r) => r.indexdef)).toEqual([
      expect.stringMatching(/\(grace_ends_at\) WHERE \(\(status = 'OPEN'::text\) AND \(grace_ends_at IS NOT NULL\)\)$/),
      expect.stringMatching(/\(next_retry_at\) WHERE \(\(status = 'OPEN'::text\) AND \(next_retry_at IS NOT NULL\)\)$/),
    ]);
    const plan = (column: string) =>
      database.db.transaction().execute(async (trx) => {
        await sql`set local enable_seqscan = off`.execute(trx);
        const explained = await sql<{ 'QUERY PLAN': string }>`
          explain select invoice_id from read.invoices where status = 'OPEN' and ${sql.ref(column)} <= ${at('07-01')}::timestamptz`.execute(trx);
        return explained.rows.map((r) => r['QUERY PLAN']).join('\n');
      });
    expect(await plan('next_retry_at')).toContain('invoices_next_retry_idx');
    expect(await plan('grace_ends_at')).toContain('invoices_grace_ends_idx');
    const due = async (column: 'next_retry_at' | 'grace_ends_at') =>
      (await database.db.selectFrom('read.invoices').select('invoice_id').where('status', '=', 'OPEN').where(column, '<=', new Date(at('07-01'))).execute()).map((r) => r.invoice_id);
    expect(await due('next_retry_at')).toEqual([INV.retrying]);
    expect(await due('grace_ends_at')).toEqual([INV.inGrace]);
  });
});

describe('replays', () => {
  it('build the same rows in one batch, one event per batch, by the runner and by its rebuild', async () => {
    await reset();
    await apply(history);
    const whole = await snapshot();
    await reset();
    for (const event of history) await apply([event]);
    expect(await snapshot()).toEqual(whole);

    await reset();
    const runner = new ProjectionRunner({ db: database.db, store, logger: createSilentLogger(), projections: [invoicesProjection, paymentsProjection], batchSize: 7 });
    runner.start();
    try {
      expect(await runner.waitFor([INVOICES_PROJECTION, PAYMENTS_PROJECTION], history.at(-1)!.position, 20_000)).toBe(true);
      expect(await snapshot()).toEqual(whole);
      await runner.rebuild(PAYMENTS_PROJECTION);
      await runner.rebuild(INVOICES_PROJECTION);
      expect(await runner.waitFor([INVOICES_PROJECTION, PAYMENTS_PROJECTION], history.at(-1)!.position, 20_000)).toBe(true);
      expect(await snapshot()).toEqual(whole);
    } finally {
      await runner.stop();
    }
  });

  it('the payments projection needs nothing of read.invoices: alone, with creations and attempts in one batch or apart, it builds the same payments', async () => {
    await reset();
    await apply(history);
    const { payments, whom } = await snapshot();
    for (const batches of [[history], history.map((e) => [e])]) {
      await reset();
      for (const batch of batches) await applyWith([paymentsProjection])(batch);
      expect(await snapshot()).toEqual({ invoices: [], payments, whom });
    }
  });

  it('replaying any prefix, over the whole history or over that prefix, changes nothing', () =>
    expectPrefixReplaysChangeNothing({ history, apply, reset, snapshot }));
});
