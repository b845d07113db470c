import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBilling } from '../../src/application/billing/index.js';
import { invoiceDecider, invoiceStreamName } from '../../src/domain/invoice/index.js';
import { couponDecider, couponStreamName } from '../../src/domain/coupon/index.js';
import { creditNoteDecider } from '../../src/domain/creditNote/index.js';
import { customerDecider, customerStreamName } from '../../src/domain/customer/index.js';
import { refundDecider, refundStreamName } from '../../src/domain/refund/index.js';
import { foldStream } from '../../src/eventstore/index.js';
import type { System } from '../../src/root/system.js';
import { http, startTestSystem, type Json } from '../api/support.js';
import { invoiceStreams } from '../collection/invoiceStreams.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startEsdbEmulator, type EsdbEmulator } from '../support/esdbEmulator/index.js';

/**
 * The money paths on EventStoreDB (the gRPC emulator): a charge by the
 * collections process, then over HTTP a credit note that refunds part of it
 * and credits the rest. The streams the processes create (the credit note's
 * document, the refund) are appended with "no stream" in the server, and the
 * invoice and customer streams take their events there. Reads are from the
 * streams: the emulator sends no checkpoints for events a filtered
 * subscription skips, so filtered read models wait for the next event they match.
 */
const NOW = '2032-01-01T09:00:00.000Z';

let emulator: EsdbEmulator;
let database: TestDatabase;
let system: System;
beforeAll(async () => {
  emulator = await startEsdbEmulator();
  database = await createTestDatabase();
  system = await startTestSystem(database, { EVENTSTORE_URL: emulator.url, CLOCK: 'simulated', CLOCK_START: NOW });
});
afterAll(async () => {
  await system?.stop();
  await database?.close();
  await emulator?.close();
});

it('charges, issues a credit note, refunds and credits on EventStoreDB', async () => {
  expect(system.store.kind).toBe('esdb');
  const { store } = system;
  const invoices = invoiceStreams(store, new Date(NOW));
  const invoiceId = await invoices.create({ paymentMethod: 'pm_ok', amount: 3_000 });
  await expect.poll(async () => (await invoices.state(invoiceId)).status, { timeout: 20_000 }).toBe('PAID');

  const { token } = await http(system).userWithRole('MANAGER', 'esdb-money@example.com');
  const issued = await http(system).call('POST', `/v1/invoices/${invoiceId}/credit-notes`, { token, body: { reason: 'product_unsatisfactory', amount: 1_000, refund: 600, credit: 400 } });
  expect(issued.status, JSON.stringify(issued.body)).toBe(201);
  const note = issued.body.data as Json;
  expect(note.number).toBe('CN-2032-000001');
  expect((await foldStream(store, `credit_note-${note.creditNoteId}`, creditNoteDecider)).state).toMatchObject({ status: 'ISSUED', amount: 1_000 });

  const invoice = await invoices.state(invoiceId);
  if (invoice.status === 'NONE') throw new Error('no invoice');
  await expect
    .poll(async () => {
      const refunds = (await store.readAll({ maxCount: 10_000 })).filter((e) => e.streamName.startsWith('refund-'));
      const ids = [...new Set(refunds.map((e) => e.streamName.slice('refund-'.length)))];
      return Promise.all(ids.map(async (id) => (await foldStream(store, refundStreamName(id), refundDecider)).state.status));
    }, { timeout: 20_000 })
    .toEqual(['SUCCEEDED']);
  const customer = (await foldStream(store, customerStreamName(invoice.customerId), customerDecider)).state;
  expect(customer.status === 'registered' && customer.credit).toEqual({ usd: 400 });
  const refunded = await database.db.selectFrom('payments.simulated_refunds').select(['amount', 'outcome']).execute();
  expect(refunded.map((r) => [Number(r.amount), r.outcome])).toEqual([[600, 'succeeded']]);
});

it('redeems a coupon on a subscription and bills its discount and its plan\'s tax rate on EventStoreDB', async () => {
  const { token } = await http(system).userWithRole('MANAGER', 'esdb-coupons@example.com');
  const post = async (url: string, body: unknown = {}) => {
    const res = await http(system).call('POST', url, { token, body });
    expect(res.status, `${url} ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body.data as Json;
  };
  const rate = await post('/v1/tax-rates', { displayName: 'VAT', jurisdiction: 'NL', percentage: '21', inclusive: false });
  const plan = await post('/v1/plans', { name: 'Pro', pricingModel: 'flat_rate', amount: 2_000, currency: 'usd', interval: 'month' });
  await post(`/v1/plans/${plan.planId}/tax-rate`, { taxRateId: rate.taxRateId });
  const coupon = await post('/v1/coupons', { name: 'Tenth', percentOff: '10', duration: 'forever', maxRedemptions: 1 });
  const customer = await post('/v1/customers', { name: 'Esdb Coupons', email: 'ap@esdb-coupons.example' });
  const contract = await post('/v1/contracts', { customerId: customer.customerId, title: 'Pro' });
  await post(`/v1/contracts/${contract.contractId}/activate`);
  const subscription = await post('/v1/subscriptions', { contractId: contract.contractId, planId: plan.planId });
  await post(`/v1/subscriptions/${subscription.subscriptionId}/discount`, { couponId: coupon.couponId });
  const redeemed = (await foldStream(system.store, couponStreamName(coupon.couponId), couponDecider)).state;
  expect(redeemed.status === 'ACTIVE' && redeemed.redemptions.map((r) => r.target)).toEqual([{ kind: 'subscription', id: subscription.subscriptionId }]);

  // Billed by the engine on the emulator's streams, one by one (batches are PostgreSQL's).
  const billing = createBilling({ store: system.store, db: database.db, clock: { now: () => new Date(NOW) } });
  const origin = { actor: { id: 'system:billing' }, source: 'scheduler', correlationId: 'esdb-coupons' } as const;
  const { invoices } = await billing.billSubscription(subscription.subscriptionId, new Date(NOW), origin);
  expect(invoices).toHaveLength(1);
  const { state } = await foldStream(system.store, invoiceStreamName(invoices[0]!.invoiceId), invoiceDecider);
  if (state.status === 'NONE') throw new Error('no invoice');
  // 2000 − 200 = 1800; 21% of it = 378.
  expect(state.lines.map((l) => [l.type, l.amount])).toEqual([
    ['plan_charge', 2_000],
    ['discount', -200],
    ['tax', 378],
  ]);
  expect(state).toMatchObject({ discount: 200, tax: 378, total: 2_178 });
});
