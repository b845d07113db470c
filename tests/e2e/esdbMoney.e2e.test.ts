import { afterAll, beforeAll, expect, it } from 'vitest';
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
