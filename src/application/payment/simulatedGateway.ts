import { type Clock } from '../../clock/index.js';
import { createHash } from 'node:crypto';
import { sql, type ColumnType, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database, Int8 } from '../../db/index.js';
import { ConflictError } from '../../domain/shared/index.js';
import { validateChargeRequest, type ChargeRequest, type ChargeResult, type PaymentGateway } from './gateway.js';
import { refund, type SimulatedRefundsTable } from './simulatedRefunds.js';

export type SimulatedChargesTable = {
  idempotency_key: string;
  invoice_id: string;
  customer_id: string;
  payment_method: string;
  amount: Int8;
  currency: string;
  outcome: 'succeeded' | 'failed';
  /** Null exactly when the charge succeeded. */
  code: string | null;
  hard: boolean;
  charge_id: string;
  created_at: ColumnType<Date, Date | string, Date | string>;
};

type Row = Selectable<SimulatedChargesTable>;

/** The decline codes the simulated gateway answers with (Stripe's names). */
export const SIMULATED_DECLINES = {
  cardDeclined: 'card_declined',
  insufficientFunds: 'insufficient_funds',
  processingError: 'processing_error',
  chargeAbandoned: 'charge_abandoned',
  refundDeclined: 'refund_declined',
  refundTooLarge: 'refund_exceeds_charge',
  noSuchCharge: 'no_such_charge',
  unknownPaymentMethod: 'unknown_payment_method',
} as const;

type Outcome = Readonly<{ outcome: 'succeeded' } | { outcome: 'failed'; code: string; hard: boolean }>;

const FLAKY = /^pm_flaky_([1-9]\d*)$/;

/** `pm_flaky_N`'s N, or undefined for any other token (N ≥ 1, a safe integer). */
export const flakyFailures = (paymentMethod: string): number | undefined => {
  const match = FLAKY.exec(paymentMethod);
  if (!match) return undefined;
  const n = Number(match[1]);
  return Number.isSafeInteger(n) ? n : undefined;
};

/**
 * What a token does. `attempt` is 1 for the first charge of this invoice with
 * this payment method, 2 for the next, and so on; only `pm_flaky_N` uses it.
 */
export const simulatedOutcome = (paymentMethod: string, attempt: number): Outcome => {
  switch (paymentMethod) {
    // pm_refund_fails charges as pm_ok does; its refunds are declined (simulatedRefunds.ts).
    case 'pm_ok':
    case 'pm_refund_fails':
      return { outcome: 'succeeded' };
    case 'pm_declined':
      return { outcome: 'failed', code: SIMULATED_DECLINES.cardDeclined, hard: true };
    case 'pm_insufficient_funds':
      return { outcome: 'failed', code: SIMULATED_DECLINES.insufficientFunds, hard: false };
  }
  const failures = flakyFailures(paymentMethod);
  if (failures === undefined) return { outcome: 'failed', code: SIMULATED_DECLINES.unknownPaymentMethod, hard: true };
  return attempt <= failures ? { outcome: 'failed', code: SIMULATED_DECLINES.processingError, hard: false } : { outcome: 'succeeded' };
};

/** Derived from the key, so a rerun of the same scenario gives the same ids. */
const chargeIdFor = (idempotencyKey: string): string =>
  `ch_sim_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 24)}`;

const resultOf = (row: Row): ChargeResult =>
  row.outcome === 'succeeded'
    ? { outcome: 'succeeded', chargeId: row.charge_id }
    : // The table's check: a failed row always has its code.
      { outcome: 'failed', code: row.code as string, hard: row.hard, chargeId: row.charge_id };

/** The request fields a stored row differs in; a reused key must name the same charge. */
const differences = (row: Row, request: ChargeRequest): string[] => {
  const stored: Record<string, unknown> = {
    invoiceId: row.invoice_id,
    customerId: row.customer_id,
    amount: Number(row.amount),
    currency: row.currency,
    paymentMethod: row.payment_method,
  };
  return Object.keys(stored).filter((field) => stored[field] !== request[field as keyof ChargeRequest]);
};

/**
 * Serialises the attempts on one invoice with one payment method until the
 * transaction ends, so the count of earlier attempts a `pm_flaky_N` charge
 * reads cannot be read by two attempts at once. An advisory lock, not a row
 * lock: before the first attempt there is no row to lock, and SERIALIZABLE
 * would make concurrent attempts fail and retry instead of queueing. The
 * two-int4 form lives in a keyspace apart from the event store's one-bigint
 * per-stream locks; a hash collision only makes two unrelated charges wait for
 * each other, never count each other's rows.
 */
const lockAttempts = (trx: Transaction<Database>, invoiceId: string, paymentMethod: string) =>
  sql`select pg_advisory_xact_lock(hashtext('payments.simulated_charges'), hashtext(${`${invoiceId}/${paymentMethod}`}))`.execute(trx);

const attemptNumber = async (trx: Transaction<Database>, invoiceId: string, paymentMethod: string): Promise<number> => {
  const { count } = await trx
    .selectFrom('payments.simulated_charges')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('invoice_id', '=', invoiceId)
    .where('payment_method', '=', paymentMethod)
    // A key closed unanswered moved no money: it is no charge of the card.
    .where((eb) => eb.or([eb('code', 'is', null), eb('code', '<>', SIMULATED_DECLINES.chargeAbandoned)]))
    .executeTakeFirstOrThrow();
  return Number(count) + 1;
};

/**
 * The default gateway (`simulated`): deterministic by token, and idempotent by
 * key. The first charge under a key is recorded in `payments.simulated_charges`
 * and every later one under that key gets its result; a key reused for a
 * different charge is refused (`payment.idempotency_key_reused`), as Stripe
 * refuses a different body. The row is written with INSERT … ON CONFLICT DO
 * NOTHING and read back, so concurrent charges under one key write one row
 * and get one answer, whichever wins.
 */
export const createSimulatedGateway = (deps: Readonly<{ db: Kysely<Database>; clock: Clock }>): PaymentGateway => {
  /** Records `outcome` under the request's key unless the key was used first, and answers what the key holds. */
  const record = async (request: ChargeRequest, decide: (trx: Transaction<Database>) => Promise<Outcome>): Promise<ChargeResult> => {
    const row = await deps.db.transaction().execute(async (trx) => {
      const outcome = await decide(trx);
      const inserted = await trx
        .insertInto('payments.simulated_charges')
        .values({
          idempotency_key: request.idempotencyKey,
          invoice_id: request.invoiceId,
          customer_id: request.customerId,
          payment_method: request.paymentMethod,
          amount: request.amount,
          currency: request.currency,
          outcome: outcome.outcome,
          code: outcome.outcome === 'failed' ? outcome.code : null,
          hard: outcome.outcome === 'failed' && outcome.hard,
          charge_id: chargeIdFor(request.idempotencyKey),
          created_at: deps.clock.now(),
        })
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .returningAll()
        .executeTakeFirst();
      // The key was used first (a concurrent winner has committed by now: ON
      // CONFLICT waited for it, and this statement's snapshot is newer).
      return inserted ?? (await trx.selectFrom('payments.simulated_charges').selectAll().where('idempotency_key', '=', request.idempotencyKey).executeTakeFirstOrThrow());
    });
    const differ = differences(row, request);
    if (differ.length > 0) {
      throw new ConflictError('payment.idempotency_key_reused', `idempotency key ${request.idempotencyKey} was used for a different charge`, {
        idempotencyKey: request.idempotencyKey,
        fields: differ,
      });
    }
    return resultOf(row);
  };

  return {
    charge: async (input) => {
      const request = validateChargeRequest(input);
      return record(request, async (trx) => {
        const failures = flakyFailures(request.paymentMethod);
        if (failures === undefined) return simulatedOutcome(request.paymentMethod, 1);
        await lockAttempts(trx, request.invoiceId, request.paymentMethod);
        return simulatedOutcome(request.paymentMethod, await attemptNumber(trx, request.invoiceId, request.paymentMethod));
      });
    },
    outcome: async (input) =>
      record(validateChargeRequest(input), async () => ({ outcome: 'failed', code: SIMULATED_DECLINES.chargeAbandoned, hard: false })),
    refund: (input) => refund(deps, input),
    totals: async () => {
      const { rows } = await sql<{ currency: string; charged: string; refunded: string }>`
        select currency, sum(charged)::text as charged, sum(refunded)::text as refunded from (
          select currency, amount as charged, 0 as refunded from payments.simulated_charges where outcome = 'succeeded'
          union all
          select currency, 0, amount from payments.simulated_refunds where outcome = 'succeeded'
        ) moved group by currency order by currency`.execute(deps.db);
      return rows.map((r) => ({ currency: r.currency, charged: Number(r.charged), refunded: Number(r.refunded) }));
    },
  };
};

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type SimulatedChargeTables = {
  'payments.simulated_charges': SimulatedChargesTable;
  'payments.simulated_refunds': SimulatedRefundsTable;
};
