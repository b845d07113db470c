import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCollectionsProcess } from '../../src/application/collection/index.js';
import { customerDecider, customerStreamName } from '../../src/domain/customer/index.js';
import { invoiceDecider, invoiceStreamName } from '../../src/domain/invoice/index.js';
import { createPostgresEventStore, foldStream, handleCommand, type PostgresEventStore } from '../../src/eventstore/index.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { up as replayCollections } from '../../migrations/20261207T150000_collections_replay.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/**
 * An invoice voided before voids gave back the credit applied to it: after
 * the upgrade, collections replays the history (its checkpoint set back by
 * the migration) and gives the credit back, once; nothing else it replays
 * (the invoice's finalisation, its own earlier commands) happens twice.
 */
const NOW = new Date('2026-03-01T06:00:00.000Z');
const at = NOW.toISOString();

let database: TestDatabase;
let store: PostgresEventStore;
beforeAll(async () => {
  database = await createTestDatabase();
  store = createPostgresEventStore({ pool: database.pool, connectionString: database.url, pollIntervalMs: 100 });
  await store.start();
});
afterAll(async () => {
  await store?.close();
  await database?.close();
});

const context = (commandId: string) => ({ correlationId: commandId, commandId, actor: { id: 'system:test' }, source: 'test', occurredAt: NOW });
const creditOf = async (customerId: string) => {
  const { state } = await foldStream(store, customerStreamName(customerId), customerDecider);
  return state.status === 'registered' ? state.credit : undefined;
};

it('gives back, once, the credit applied to an invoice voided before voids did', async () => {
  const customerId = 'cus_legacy';
  const invoiceId = `inv_${'1'.repeat(32)}`;
  const onCustomer = (command: Parameters<typeof customerDecider.decide>[0], id: string) => handleCommand(store, customerStreamName(customerId), customerDecider, command, context(id));
  const onInvoice = (command: Parameters<typeof invoiceDecider.decide>[0], id: string) => handleCommand(store, invoiceStreamName(invoiceId), invoiceDecider, command, context(id));
  await onCustomer({ type: 'RegisterCustomer', data: { customerId, name: 'Legacy', email: 'ap@legacy.example', now: at } }, 'reg');
  await onCustomer({ type: 'GrantCredit', data: { amount: 500, currency: 'usd', reason: 'goodwill', now: at } }, 'grant');
  await onCustomer({ type: 'ApplyCredit', data: { amount: 500, currency: 'usd', invoiceId, now: at } }, `credit:${invoiceId}`);
  const period = { start: at, end: '2026-04-01T06:00:00.000Z' };
  const lines = [
    { type: 'plan_charge' as const, itemKey: 'charge:1', description: 'Basic', quantity: 1, unitAmount: 3_000, amount: 3_000, currency: 'usd', period },
    { type: 'credit_applied' as const, itemKey: `credit_applied:${invoiceId}`, description: 'Credit applied', quantity: 1, unitAmount: -500, amount: -500, currency: 'usd', period },
  ];
  await onInvoice({ type: 'CreateInvoice', data: { invoiceId, customerId, subscriptionId: 'sub_legacy', currency: 'usd', lines, cause: { kind: 'period', periodStart: at }, draft: false, now: at } }, 'create');
  await onInvoice({ type: 'FinalizeInvoice', data: { number: '2026-000001', now: at } }, 'finalize');
  await onInvoice({ type: 'VoidInvoice', data: { now: at } }, 'void');
  expect(await creditOf(customerId)).toEqual({ usd: 0 });

  const requested: string[] = [];
  const process = createCollectionsProcess({
    db: database.db,
    store,
    logger: createSilentLogger(),
    charges: { request: async (job: { invoiceId: string }) => (requested.push(`charge:${job.invoiceId}`), { jobId: 'j', enqueued: false }) } as never,
    notices: { request: async (job: { name: string }) => (requested.push(`notice:${job.name}`), { jobId: 'j', enqueued: false }) } as never,
    creditNotes: { complete: async () => undefined, completeVoid: async () => undefined } as never,
    refunds: { request: async () => 're_x' } as never,
    overpayment: 'refund',
  });
  // As an older version left it: collections had seen everything, without giving the credit back.
  await database.db.insertInto('read.projection_checkpoints').values({ name: 'process:collections', commit: null, prepare: null }).execute();
  const head = (await store.headPosition())!;
  await database.db.updateTable('read.projection_checkpoints').set({ commit: head.commit.toString(), prepare: head.prepare.toString() }).where('name', '=', 'process:collections').execute();

  await replayCollections(database.db);
  process.start();
  try {
    expect(await process.waitFor(head, 10_000)).toBe(true);
    await expect.poll(() => creditOf(customerId), { timeout: 10_000 }).toEqual({ usd: 500 });
    // The voided invoice's finalisation, seen again, asks for no charge and no notice.
    expect(requested).toEqual([]);
    // Replayed again (a second upgrade, a crash before the checkpoint): still once.
    await replayCollections(database.db);
  } finally {
    await process.stop();
  }
  const again = createCollectionsProcess({
    db: database.db,
    store,
    logger: createSilentLogger(),
    charges: { request: async () => ({ jobId: 'j', enqueued: false }) } as never,
    notices: { request: async () => ({ jobId: 'j', enqueued: false }) } as never,
    creditNotes: { complete: async () => undefined, completeVoid: async () => undefined } as never,
    refunds: { request: async () => 're_x' } as never,
    overpayment: 'refund',
  });
  again.start();
  try {
    expect(await again.waitFor((await store.headPosition())!, 10_000)).toBe(true);
  } finally {
    await again.stop();
  }
  expect(await creditOf(customerId)).toEqual({ usd: 500 });
  const grants = (await store.readStream(customerStreamName(customerId))).filter((e) => e.type === 'CustomerCreditGranted');
  expect(grants.map((e) => (e.data as { reason: string }).reason)).toEqual(['goodwill', 'invoice_voided']);
});
