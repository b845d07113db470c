import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { invoiceDecider, invoiceStreamName } from '../../src/domain/invoice/index.js';
import { createPostgresEventStore, handleCommand, type PostgresEventStore } from '../../src/eventstore/index.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { creditNotesProjection } from '../../src/projections/creditNote/index.js';
import { LEDGER_PROJECTION, ledgerProjection } from '../../src/projections/ledger/index.js';
import { ProjectionRunner } from '../../src/projections/runtime/index.js';
import { invoiceStreams } from '../collection/invoiceStreams.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/**
 * `billstream credit-notes` and `billstream ledger` against a real database,
 * on a simulated clock fixed at NOW: an invoice paid by a charge gets a
 * credit note from the CLI; the ledger, projected here as a server would,
 * balances and reconciles, and shows the customer's accounts.
 */
const NOW = new Date('2026-03-01T06:00:00.000Z');
const DUNNING = { retryDays: [1], graceDays: 5 };

let database: TestDatabase;
let store: PostgresEventStore;
let runner: ProjectionRunner;

beforeAll(async () => {
  database = await createTestDatabase();
  store = createPostgresEventStore({ pool: database.pool, connectionString: database.url, pollIntervalMs: 100 });
  await store.start();
  runner = new ProjectionRunner({ db: database.db, store, logger: createSilentLogger(), projections: [ledgerProjection, creditNotesProjection] });
  runner.start();
  vi.stubEnv('CLOCK', 'simulated');
  vi.stubEnv('CLOCK_START', NOW.toISOString());
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await runner?.stop();
  await store?.close();
  await database?.close();
});

it('issues a credit note from the CLI, and shows a ledger that balances and reconciles', async () => {
  const cli = (...args: string[]) => runCli(args, { databaseUrl: database.url });
  const streams = invoiceStreams(store, NOW);
  const invoiceId = await streams.create({ amount: 4_500 });
  const context = (commandId: string) => ({ correlationId: commandId, commandId, actor: { id: 'system:test' }, source: 'test', occurredAt: NOW });
  await handleCommand(store, invoiceStreamName(invoiceId), invoiceDecider, { type: 'AttemptPayment', data: { attempt: 1, paymentMethod: 'pm_ok', dunning: DUNNING, now: NOW.toISOString() } }, context('a'));
  // The gateway charged it (the test records it as the gateway would, for cash to reconcile).
  const state = await streams.state(invoiceId);
  if (state.status === 'NONE') throw new Error('no invoice');
  await database.db
    .insertInto('payments.simulated_charges')
    .values({ idempotency_key: `${invoiceId}:attempt:1`, invoice_id: invoiceId, customer_id: state.customerId, payment_method: 'pm_ok', amount: 4_500, currency: 'usd', outcome: 'succeeded', code: null, hard: false, charge_id: 'ch_cli', created_at: NOW })
    .execute();
  await handleCommand(store, invoiceStreamName(invoiceId), invoiceDecider, { type: 'RecordPaymentResult', data: { attempt: 1, result: { outcome: 'succeeded', chargeId: 'ch_cli' }, dunning: DUNNING, now: NOW.toISOString() } }, context('r'));

  const refused = await cli('credit-notes', 'issue', invoiceId, '--reason', 'other', '--amount', '500');
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('credit_note.split_mismatch');
  const issued = await cli('credit-notes', 'issue', invoiceId, '--reason', 'other', '--amount', '500', '--out-of-band', '500', '--json');
  expect(issued.code, issued.stderr).toBe(0);
  const note = JSON.parse(issued.stdout);
  expect(note).toMatchObject({ number: 'CN-2026-000001', amount: 500, outOfBand: 500, prePayment: 0, status: 'ISSUED' });

  expect(await runner.waitFor([LEDGER_PROJECTION], (await store.headPosition())!, 10_000)).toBe(true);
  const trial = await cli('ledger', 'trial-balance');
  expect(trial.code, trial.stderr).toBe(0);
  expect(trial.stdout).toMatch(/total\s+usd\s+\d+\s+\d+\s+0\n/);
  expect(trial.stdout).toMatch(/out_of_band\s+usd\s+0\s+500\s+-500/);
  const reconciled = await cli('ledger', 'reconcile');
  expect(reconciled.code, reconciled.stdout + reconciled.stderr).toBe(0);
  expect(reconciled.stdout).toContain('reconciled');
  const customer = JSON.parse((await cli('ledger', 'customer', state.customerId, '--json')).stdout);
  expect(customer.accounts).toEqual(expect.arrayContaining([expect.objectContaining({ account: 'cash', balance: 4_500 }), expect.objectContaining({ account: 'receivable', balance: 0 })]));
  expect((await cli('ledger', 'customer', 'cus_nope')).stderr).toContain('customer.invalid');
  // Its money went out (out of band): it is final.
  const voided = await cli('credit-notes', 'void', note.creditNoteId);
  expect(voided.code).toBe(1);
  expect(voided.stderr).toContain('credit_note.cannot_void');
});
