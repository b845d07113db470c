import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../src/domain/shared/index.js';
import { createSimulatedGateway, type ChargeRequest, type PaymentGateway } from '../../src/application/payment/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let database: TestDatabase;
let gateway: PaymentGateway;
const NOW = new Date('2026-11-23T10:00:00.000Z');

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 25 });
  gateway = createSimulatedGateway({ db: database.db, clock: { now: () => NOW } });
});
afterAll(async () => {
  await database?.close();
});

let next = 0;
/** A charge for an invoice of its own, so the tests do not count each other's attempts. */
const request = (paymentMethod: string, overrides: Partial<ChargeRequest> = {}): ChargeRequest => {
  next += 1;
  return {
    invoiceId: `inv_test_${next}`,
    customerId: 'cus_test',
    amount: 3000,
    currency: 'usd',
    paymentMethod,
    idempotencyKey: `inv_test_${next}:attempt:1`,
    ...overrides,
  };
};

const rowsFor = (key: string) =>
  database.db.selectFrom('payments.simulated_charges').selectAll().where('idempotency_key', '=', key).execute();

describe('each token', () => {
  it('pm_ok succeeds, with a charge id', async () => {
    const result = await gateway.charge(request('pm_ok'));
    expect(result).toEqual({ outcome: 'succeeded', chargeId: expect.stringMatching(/^ch_sim_[0-9a-f]{24}$/) });
  });

  it('pm_declined is a hard decline (card_declined)', async () => {
    expect(await gateway.charge(request('pm_declined'))).toMatchObject({ outcome: 'failed', code: 'card_declined', hard: true });
  });

  it('pm_insufficient_funds is a soft decline (insufficient_funds)', async () => {
    expect(await gateway.charge(request('pm_insufficient_funds'))).toMatchObject({ outcome: 'failed', code: 'insufficient_funds', hard: false });
  });

  it.each(['pm_unknown', 'pm_flaky_0', 'pm_flaky_', 'pm_flaky_01', 'pm_flaky_-1', 'pm_flaky_1x'])(
    'any other token (%s) is a hard decline (unknown_payment_method)',
    async (token) => {
      expect(await gateway.charge(request(token))).toMatchObject({ outcome: 'failed', code: 'unknown_payment_method', hard: true });
    },
  );

  it('records the charge with the clock\'s instant', async () => {
    const charge = request('pm_ok', { amount: 1234, currency: 'eur' });
    const result = await gateway.charge(charge);
    expect(await rowsFor(charge.idempotencyKey)).toEqual([
      expect.objectContaining({
        invoice_id: charge.invoiceId,
        customer_id: 'cus_test',
        payment_method: 'pm_ok',
        amount: '1234',
        currency: 'eur',
        outcome: 'succeeded',
        code: null,
        hard: false,
        charge_id: result.chargeId,
        created_at: NOW,
      }),
    ]);
  });
});

describe('pm_flaky_N', () => {
  it('pm_flaky_2 fails twice (soft, processing_error), then succeeds, one key per attempt', async () => {
    const first = request('pm_flaky_2');
    const attempt = (n: number) => gateway.charge({ ...first, idempotencyKey: `${first.invoiceId}:attempt:${n}` });
    const results = [await attempt(1), await attempt(2), await attempt(3)];
    expect(results.map((r) => r.outcome)).toEqual(['failed', 'failed', 'succeeded']);
    expect(results[0]).toMatchObject({ code: 'processing_error', hard: false });
    expect(results[1]).toMatchObject({ code: 'processing_error', hard: false });
    expect(new Set(results.map((r) => r.chargeId)).size).toBe(3);
    // Asked again under the first key: the first answer, not a fourth attempt.
    expect(await attempt(1)).toEqual(results[0]);
  });

  it('counts per invoice: another invoice on pm_flaky_1 starts again at its first attempt', async () => {
    const a = request('pm_flaky_1');
    const b = request('pm_flaky_1');
    expect((await gateway.charge(a)).outcome).toBe('failed');
    expect((await gateway.charge(b)).outcome).toBe('failed');
    expect((await gateway.charge({ ...a, idempotencyKey: `${a.invoiceId}:attempt:2` })).outcome).toBe('succeeded');
  });

  it('10 concurrent attempts under different keys on pm_flaky_3: exactly 3 fail and 7 succeed', async () => {
    const base = request('pm_flaky_3');
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => gateway.charge({ ...base, idempotencyKey: `${base.invoiceId}:attempt:${i + 1}` })),
    );
    expect(results.filter((r) => r.outcome === 'failed')).toHaveLength(3);
    expect(results.filter((r) => r.outcome === 'succeeded')).toHaveLength(7);
  });
});

describe('idempotency', () => {
  it('answers a repeated key with the first result and writes one row', async () => {
    const charge = request('pm_insufficient_funds');
    const first = await gateway.charge(charge);
    expect(await gateway.charge(charge)).toEqual(first);
    expect(await gateway.charge({ ...charge })).toEqual(first);
    expect(await rowsFor(charge.idempotencyKey)).toHaveLength(1);
  });

  it.each([
    ['amount', { amount: 3001 }],
    ['invoiceId', { invoiceId: 'inv_other' }],
    ['customerId', { customerId: 'cus_other' }],
    ['currency', { currency: 'eur' }],
    ['paymentMethod', { paymentMethod: 'pm_ok' }],
  ] as const)('refuses the same key for a charge with a different %s, and keeps the first row', async (field, change) => {
    const charge = request('pm_declined');
    const first = await gateway.charge(charge);
    const refused = gateway.charge({ ...charge, ...change });
    await expect(refused).rejects.toThrow(ConflictError);
    await expect(refused).rejects.toMatchObject({ reason: 'payment.idempotency_key_reused', details: { fields: [field] } });
    expect(await rowsFor(charge.idempotencyKey)).toEqual([expect.objectContaining({ charge_id: first.chargeId, outcome: 'failed' })]);
  });

  it.each(['pm_insufficient_funds', 'pm_flaky_1'])('20 concurrent charges under one key (%s) write one row and all get the same answer', async (token) => {
    const charge = request(token);
    const results = await Promise.all(Array.from({ length: 20 }, () => gateway.charge(charge)));
    expect(new Set(results.map((r) => r.chargeId)).size).toBe(1);
    expect(results).toEqual(Array(20).fill({ outcome: 'failed', code: token === 'pm_flaky_1' ? 'processing_error' : 'insufficient_funds', hard: false, chargeId: results[0]!.chargeId }));
    expect(await rowsFor(charge.idempotencyKey)).toHaveLength(1);
  });

  it('20 concurrent charges under one key, half for another invoice: one row, the rest refused or given its answer', async () => {
    const charge = request('pm_ok');
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => gateway.charge(i % 2 === 0 ? charge : { ...charge, invoiceId: `${charge.invoiceId}_other` })),
    );
    const rows = await rowsFor(charge.idempotencyKey);
    expect(rows).toHaveLength(1);
    // Whichever invoice won, its ten got its answer and the other ten were refused.
    const fulfilled = settled.filter((s) => s.status === 'fulfilled');
    const rejected = settled.filter((s) => s.status === 'rejected');
    expect(fulfilled).toHaveLength(10);
    expect(new Set(fulfilled.map((s) => s.value.chargeId))).toEqual(new Set([rows[0]!.charge_id]));
    expect(rejected.map((s) => (s.reason as ConflictError).reason)).toEqual(Array(10).fill('payment.idempotency_key_reused'));
  });
});

describe('invalid input', () => {
  it.each([
    ['amount', { amount: 0 }],
    ['amount', { amount: -100 }],
    ['amount', { amount: 10.5 }],
    ['amount', { amount: Number.MAX_SAFE_INTEGER + 1 }],
    ['amount', { amount: Number.NaN }],
    ['currency', { currency: 'USD' }],
    ['currency', { currency: 'us' }],
    ['currency', { currency: 'usdd' }],
    ['idempotencyKey', { idempotencyKey: '' }],
    ['idempotencyKey', { idempotencyKey: 'k'.repeat(256) }],
    ['idempotencyKey', { idempotencyKey: 'key\u0000' }],
    ['invoiceId', { invoiceId: '' }],
    ['customerId', { customerId: '' }],
    ['paymentMethod', { paymentMethod: '' }],
  ] as const)('refuses a bad %s (%j) with payment.invalid and writes nothing', async (field, change) => {
    const charge = { ...request('pm_ok'), ...change } as ChargeRequest;
    const refused = gateway.charge(charge);
    await expect(refused).rejects.toThrow(ValidationError);
    await expect(refused).rejects.toMatchObject({ reason: 'payment.invalid', details: { field } });
    const rows = await database.db.selectFrom('payments.simulated_charges').select('idempotency_key').where('invoice_id', '=', charge.invoiceId).execute();
    expect(rows).toEqual([]);
  });
});
