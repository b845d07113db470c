import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Origin } from '../../src/application/shared/origin.js';
import { CHARGES, createCharges, type ChargeJob } from '../../src/application/collection/charge.js';
import { createCollectionCommands, type CollectionCommands } from '../../src/application/collection/operator.js';
import { type Ask } from '../../src/application/shared/streams.js';
import { invoiceStreamName, type DunningPolicy } from '../../src/domain/invoice/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/domain/shared/index.js';
import { createPostgresEventStore, ExpectedRevisionMismatchError, type EventStore } from '../../src/eventstore/index.js';
import { createJobs, type Jobs } from '../../src/jobs/jobs.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { createSimulatedGateway, type PaymentGateway } from '../../src/application/payment/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { invoiceStreams } from './invoiceStreams.js';

/**
 * The operator's and API client's commands on an invoice's collection, on the
 * PostgreSQL store and real pg-boss with a worker running the charge jobs:
 * pay now (idempotent per attempt, refused before any job when the decider
 * would refuse it), stop dunning, extend grace, mark uncollectible, each
 * recorded with the caller as its actor.
 */
const NOW = new Date('2026-03-01T06:00:00.000Z');
const clock = { now: () => NOW };
const DUNNING: DunningPolicy = { retryDays: [1, 3, 5, 7], graceDays: 30 };
const OPERATOR: Origin = { actor: { id: 'usr_operator', role: 'MANAGER' }, source: 'api', correlationId: 'req-operator' };
const ask = OPERATOR;
const asOperator = { actor: OPERATOR.actor, source: 'api', correlationId: 'req-operator' };

let database: TestDatabase;
let store: EventStore;
let jobs: Jobs;
let collections: CollectionCommands;
let streams: ReturnType<typeof invoiceStreams>;
let request: (job: ChargeJob) => Promise<{ jobId: string; enqueued: boolean }>;
/** Invoices whose charge waits at the gateway until released: an attempt under way. */
const gates = new Map<string, { promise: Promise<void>; release: () => void }>();
const gate = () => {
  let release = () => {};
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
};

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 10 });
  store = createPostgresEventStore({ pool: database.pool });
  streams = invoiceStreams(store, NOW);
  const simulated = createSimulatedGateway({ db: database.db, clock });
  const gateway: PaymentGateway = {
    ...simulated,
    charge: async (req) => {
      await gates.get(req.invoiceId)?.promise;
      return simulated.charge(req);
    },
  };
  jobs = createJobs({ pool: database.pool, logger: createSilentLogger(), pollingIntervalSeconds: 0.5 });
  await jobs.start([{ ...CHARGES, retryDelaySeconds: 1 }]);
  const charges = createCharges({ store, clock, gateway, jobs, dunning: DUNNING });
  request = charges.request;
  await jobs.work(CHARGES.name, (data: ChargeJob) => charges.run(data));
  collections = createCollectionCommands({ store, clock, charges });
});
afterAll(async () => {
  for (const g of gates.values()) g.release();
  await jobs?.stop(1_000);
  await store?.close();
  await database?.close();
});

/** The job keys recorded for an invoice's charges: one per attempt asked for. */
const chargeKeys = async (invoiceId: string) =>
  (await sql<{ key: string }>`select key from jobs.job_keys where key like ${`charge:${invoiceId}:%`} order by key`.execute(database.db)).rows.map((r) => r.key);
const payments = async (invoiceId: string) => {
  const s = await streams.state(invoiceId);
  return s.status === 'NONE' ? [] : (s.collection?.payments ?? []);
};
const resultOf = async (invoiceId: string, attempt: number) => (await payments(invoiceId))[attempt - 1]?.result?.outcome;

describe('pay now', () => {
  it('enqueues the next attempt once however often asked, and the attempt after it once it has a result; its events carry the caller', async () => {
    const invoiceId = await streams.create({ paymentMethod: 'pm_insufficient_funds' });
    const twice = await Promise.all([collections.pay(invoiceId, ask), collections.pay(invoiceId, ask)]);
    expect(twice.map((p) => p.attempt)).toEqual([1, 1]);
    expect(twice[0]!.jobId).toBe(twice[1]!.jobId);
    expect(twice.filter((p) => p.enqueued)).toHaveLength(1);
    expect(await chargeKeys(invoiceId)).toEqual([`charge:${invoiceId}:1`]);
    await expect.poll(() => resultOf(invoiceId, 1), { timeout: 10_000 }).toBe('failed');

    const again = await collections.pay(invoiceId, ask);
    expect(again).toMatchObject({ invoiceId, attempt: 2, enqueued: true });
    expect(again.jobId).not.toBe(twice[0]!.jobId);
    await expect.poll(() => resultOf(invoiceId, 2), { timeout: 10_000 }).toBe('failed');
    expect(await chargeKeys(invoiceId)).toEqual([`charge:${invoiceId}:1`, `charge:${invoiceId}:2`]);

    const collected = (await streams.events(invoiceId)).filter((e) => e.type.startsWith('Payment'));
    expect(collected.map((e) => `${e.type} ${(e.data as { attempt: number }).attempt}`)).toEqual(['PaymentAttempted 1', 'PaymentFailed 1', 'PaymentAttempted 2', 'PaymentFailed 2']);
    for (const e of collected) expect(e.metadata, e.type).toMatchObject(asOperator);
  });

  it('pays with the revision the caller saw (If-Match): the job carries the caller as its origin, nothing more', async () => {
    const invoiceId = await streams.create({ paymentMethod: 'pm_ok' });
    const seen = (await store.readStream(invoiceStreamName(invoiceId))).at(-1)!.revision;
    const paid = await collections.pay(invoiceId, { ...ask, ifMatch: seen, commandId: 'pay-once' });
    expect(paid).toMatchObject({ invoiceId, attempt: 1, enqueued: true });
    const { rows } = await sql<{ data: { origin: unknown } }>`select data from pgboss.job where id = ${paid.jobId}`.execute(database.db);
    expect(rows[0]!.data.origin).toEqual(asOperator);
    await expect.poll(() => resultOf(invoiceId, 1), { timeout: 10_000 }).toBe('succeeded');
  });

  it('answers the attempt under way with its own job, and refuses once the invoice is paid', async () => {
    const invoiceId = await streams.create({ paymentMethod: 'pm_ok' });
    const held = gate();
    gates.set(invoiceId, held);
    const scheduled = await request({ invoiceId, attempt: 1 });
    await expect.poll(async () => (await payments(invoiceId)).length, { timeout: 10_000 }).toBe(1);

    try {
      expect(await collections.pay(invoiceId, ask)).toEqual({ invoiceId, attempt: 1, jobId: scheduled.jobId, enqueued: false });
    } finally {
      // The one worker waits at this gate: the next tests need it.
      held.release();
    }
    await expect.poll(async () => (await streams.state(invoiceId)).status, { timeout: 10_000 }).toBe('PAID');
    await expect(collections.pay(invoiceId, ask)).rejects.toMatchObject({ reason: 'invoice.already_paid' });
    expect(await chargeKeys(invoiceId)).toEqual([`charge:${invoiceId}:1`]);
    // The attempt was collections' own: its events name the system, not the operator who asked after it.
    const attempted = (await streams.events(invoiceId)).find((e) => e.type === 'PaymentAttempted');
    expect(attempted?.metadata.actor).toEqual({ id: 'system:collections' });
  });

  it('refuses before enqueueing anything what the decider refuses: not found, draft, void, paid, nothing to collect, a stale If-Match', async () => {
    const draft = await streams.create({ draft: true });
    const voided = await streams.create();
    await streams.send(voided, { type: 'VoidInvoice', data: { now: NOW.toISOString() } });
    const paid = await streams.create();
    const dunning = { retryDays: [1], graceDays: 5 };
    await streams.send(paid, { type: 'AttemptPayment', data: { attempt: 1, paymentMethod: 'pm_ok', dunning, now: NOW.toISOString() } });
    await streams.send(paid, { type: 'RecordPaymentResult', data: { attempt: 1, result: { outcome: 'succeeded', chargeId: 'ch_outside' }, dunning, now: NOW.toISOString() } });
    const zero = await streams.create({ amount: 0 });
    const open = await streams.create();
    const unknown = `inv_${'0'.repeat(32)}`;
    const refusals: [string, Ask, unknown, string][] = [
      [unknown, ask, NotFoundError, 'invoice.not_found'],
      [draft, ask, ConflictError, 'invoice.invalid_transition'],
      [voided, ask, ConflictError, 'invoice.invalid_transition'],
      [paid, ask, ConflictError, 'invoice.already_paid'],
      // Nothing due: paid as it was finalised.
      [zero, ask, ConflictError, 'invoice.already_paid'],
      [open, { ...ask, ifMatch: 0n }, ExpectedRevisionMismatchError, 'stream.precondition_failed'],
    ];
    for (const [invoiceId, asking, error, reason] of refusals) {
      const thrown = await collections.pay(invoiceId, asking).then(() => undefined, (err: unknown) => err);
      expect(thrown, reason).toBeInstanceOf(error);
      expect(thrown, reason).toMatchObject({ reason });
      expect(await chargeKeys(invoiceId), reason).toEqual([]);
    }
  });

  it('pays an UNCOLLECTIBLE invoice (which mark-uncollectible leaves, once, with the caller as actor)', async () => {
    const invoiceId = await streams.create({ paymentMethod: 'pm_ok' });
    const marked = await collections.markUncollectible(invoiceId, ask);
    expect(marked.newEvents).toEqual([{ type: 'InvoiceMarkedUncollectible', data: { invoiceId, markedAt: NOW.toISOString() } }]);
    expect((await collections.markUncollectible(invoiceId, ask)).newEvents).toEqual([]);
    expect((await streams.events(invoiceId)).at(-1)?.metadata).toMatchObject(asOperator);

    expect(await collections.pay(invoiceId, ask)).toMatchObject({ attempt: 1, enqueued: true });
    await expect.poll(async () => (await streams.state(invoiceId)).status, { timeout: 10_000 }).toBe('PAID');
    const draft = await streams.create({ draft: true });
    await expect(collections.markUncollectible(draft, ask)).rejects.toMatchObject({ reason: 'invoice.invalid_transition' });
  });
});

describe('dunning overrides', () => {
  /** An invoice whose card was declined (hard): grace runs to NOW + 30 days. */
  const inGrace = async () => {
    const invoiceId = await streams.create({ paymentMethod: 'pm_declined' });
    await collections.pay(invoiceId, ask);
    await expect.poll(() => resultOf(invoiceId, 1), { timeout: 10_000 }).toBe('failed');
    return invoiceId;
  };

  it('extends grace, then stops dunning (once), each an event with the caller as actor', async () => {
    const invoiceId = await inGrace();
    const extended = await collections.extendGrace(invoiceId, { days: 10, reason: 'promised to pay' }, ask);
    expect(extended.newEvents).toEqual([
      {
        type: 'GraceExtended',
        data: { invoiceId, previousGraceEndsAt: '2026-03-31T06:00:00.000Z', graceEndsAt: '2026-04-10T06:00:00.000Z', reason: 'promised to pay', extendedAt: NOW.toISOString() },
      },
    ]);
    const stopped = await collections.stopDunning(invoiceId, { reason: 'disputed' }, ask);
    expect(stopped.newEvents).toEqual([{ type: 'DunningStopped', data: { invoiceId, reason: 'disputed', stoppedAt: NOW.toISOString() } }]);
    expect((await collections.stopDunning(invoiceId, {}, ask)).newEvents).toEqual([]);
    const overrides = (await streams.events(invoiceId)).filter((e) => e.type === 'GraceExtended' || e.type === 'DunningStopped');
    expect(overrides).toHaveLength(2);
    for (const e of overrides) expect(e.metadata, e.type).toMatchObject(asOperator);
    await expect(collections.extendGrace(invoiceId, { days: 1 }, ask)).rejects.toMatchObject({ reason: 'invoice.dunning_stopped' });
  });

  it('refuses input the schemas refuse, and overrides of an invoice not in dunning', async () => {
    const invoiceId = await inGrace();
    const bad: [string, () => Promise<unknown>][] = [
      ['no days', () => collections.extendGrace(invoiceId, {} as never, ask)],
      ['0 days', () => collections.extendGrace(invoiceId, { days: 0 }, ask)],
      ['1.5 days', () => collections.extendGrace(invoiceId, { days: 1.5 }, ask)],
      ['366 days', () => collections.extendGrace(invoiceId, { days: 366 }, ask)],
      ['a NUL in the reason', () => collections.extendGrace(invoiceId, { days: 1, reason: 'a\u0000b' }, ask)],
      ['a lone surrogate', () => collections.stopDunning(invoiceId, { reason: '\ud800' }, ask)],
      ['an unknown field', () => collections.stopDunning(invoiceId, { reason: 'x', force: true } as never, ask)],
    ];
    for (const [label, call] of bad) {
      const thrown = await call().then(() => undefined, (err: unknown) => err);
      expect(thrown, label).toBeInstanceOf(ValidationError);
      // The schema's refusal names the fields; the decider's own guard, behind it, would not.
      expect(thrown, label).toMatchObject({ reason: 'invoice.invalid', details: { fields: [expect.objectContaining({ message: expect.any(String) })] } });
    }
    expect((await streams.events(invoiceId)).map((e) => e.type)).not.toContain('GraceExtended');

    const fresh = await streams.create();
    await expect(collections.stopDunning(fresh, {}, ask)).rejects.toMatchObject({ reason: 'invoice.not_in_dunning' });
    await expect(collections.extendGrace(fresh, { days: 3 }, ask)).rejects.toMatchObject({ reason: 'invoice.grace_not_started' });
  });
});
