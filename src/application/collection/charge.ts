import { SYSTEM_ACTORS } from '../../domain/shared/index.js';
import { type Clock } from '../../clock/index.js';
import { contextOf, type Origin } from '../shared/index.js';
import { customerDecider, customerStreamName } from '../../domain/customer/index.js';
import { idempotencyKeyOf, invoiceDecider, invoiceStreamName, type DunningPolicy, type PaymentResult } from '../../domain/invoice/index.js';
import { fold, foldStream, handleCommand, readOrEmpty, type EventStore } from '../../eventstore/index.js';
import type { Jobs, QueueSpec } from '../../jobs/index.js';
import type { ChargeResult, PaymentGateway } from '../payment/index.js';

/** `origin`: who asked for the attempt (an operator's retry, `pay`); unset, collections itself. The attempt's events carry it. */
export type ChargeJob = Readonly<{ invoiceId: string; attempt: number; origin?: Origin }>;

/**
 * Charges: a job per invoice and attempt. A job that fails (the gateway
 * unreachable, a crash) is retried by pg-boss; the decline of a card is not a
 * failed job but a result, recorded, which dunning acts on.
 */
export const CHARGES: QueueSpec = { name: 'charges', retryLimit: 8, retryDelaySeconds: 15, expireInSeconds: 120 };

export type ChargeDeps = Readonly<{ store: EventStore; clock: Clock; gateway: PaymentGateway; jobs: Jobs; dunning: DunningPolicy }>;

const resultOf = (charged: ChargeResult): PaymentResult =>
  charged.outcome === 'succeeded'
    ? { outcome: 'succeeded', chargeId: charged.chargeId }
    : { outcome: 'failed', code: charged.code, hard: charged.hard, chargeId: charged.chargeId };

const COLLECTIONS: Origin = { actor: SYSTEM_ACTORS.collections, source: 'process:collections', correlationId: 'collections' };

/**
 * Attempt `n` of an invoice, in three steps, each safe to run again:
 * 1. AttemptPayment records the attempt and the payment method it uses
 *    (commandId `attempt:<invoice>:<n>`): a customer without one fails it at
 *    once, and nothing is charged;
 * 2. the gateway charges under the attempt's idempotency key, so a job run
 *    again after a crash gets the first charge's answer, never a second charge;
 * 3. RecordPaymentResult records what the gateway said (`result:<invoice>:<n>`).
 */
export const createCharges = (deps: ChargeDeps) => {
  const run = async ({ invoiceId, attempt, origin = COLLECTIONS }: ChargeJob): Promise<void> => {
    const stream = invoiceStreamName(invoiceId);
    const recorded = await readOrEmpty(deps.store, stream);
    const { state } = fold(invoiceDecider, recorded);
    if (state.status === 'NONE') return;
    const made = state.collection?.payments[attempt - 1];
    // This attempt's result recorded already: nothing left to do.
    if (made?.result) return;
    // A new attempt only while the invoice may be collected; one already made is seen through whatever happened since: its charge may have succeeded.
    if (!made && state.status !== 'OPEN' && state.status !== 'UNCOLLECTIBLE') return;
    const now = deps.clock.now();
    const at = (commandId: string) => ({ ...contextOf(origin, now), commandId, ...(origin === COLLECTIONS && { correlationId: `charge:${invoiceId}:${attempt}` }) });

    const customer = (await foldStream(deps.store, customerStreamName(state.customerId), customerDecider)).state;
    const method = customer.status === 'registered' ? customer.paymentMethod : undefined;
    const attempted = await handleCommand(
      deps.store,
      stream,
      invoiceDecider,
      { type: 'AttemptPayment', data: { attempt, ...(method !== undefined && { paymentMethod: method }), dunning: deps.dunning, now: now.toISOString() } },
      at(`attempt:${invoiceId}:${attempt}`),
      { recorded },
    );
    const after = attempted.newState;
    if (after.status === 'NONE') return;
    const payment = after.collection?.payments[attempt - 1];
    if (!payment || payment.result || payment.paymentMethod === null) return;

    // The method and amount recorded with the attempt: a retried job charges exactly what the attempt said.
    const charged = await deps.gateway.charge({
      invoiceId,
      customerId: after.customerId,
      amount: payment.amount,
      currency: after.currency,
      paymentMethod: payment.paymentMethod,
      idempotencyKey: idempotencyKeyOf(invoiceId, attempt),
    });
    await handleCommand(
      deps.store,
      stream,
      invoiceDecider,
      { type: 'RecordPaymentResult', data: { attempt, result: resultOf(charged), dunning: deps.dunning, now: deps.clock.now().toISOString() } },
      at(`result:${invoiceId}:${attempt}`),
    );
  };

  /**
   * An attempt that never heard back (its job lost, the gateway silent past
   * the timeout) no longer holds the invoice: the gateway is asked for the
   * outcome under the attempt's key, which closes a key it never charged
   * under, and that outcome is recorded under the job's own commandId, so the
   * job, if it ever answers, records the same thing once.
   */
  const closeAbandoned = async ({ invoiceId, attempt }: Pick<ChargeJob, 'invoiceId' | 'attempt'>, origin: Origin): Promise<void> => {
    const stream = invoiceStreamName(invoiceId);
    const { state } = await foldStream(deps.store, stream, invoiceDecider);
    if (state.status === 'NONE') return;
    const payment = state.collection?.payments[attempt - 1];
    if (!payment || payment.result || payment.paymentMethod === null) return;
    const outcome = await deps.gateway.outcome({
      invoiceId,
      customerId: state.customerId,
      amount: payment.amount,
      currency: state.currency,
      paymentMethod: payment.paymentMethod,
      idempotencyKey: idempotencyKeyOf(invoiceId, attempt),
    });
    const now = deps.clock.now();
    await handleCommand(
      deps.store,
      stream,
      invoiceDecider,
      { type: 'RecordPaymentResult', data: { attempt, result: resultOf(outcome), dunning: deps.dunning, now: now.toISOString() } },
      { ...contextOf(origin, now), commandId: `result:${invoiceId}:${attempt}` },
    );
  };

  return {
    closeAbandoned,
    /** Asks for attempt `n` of an invoice: once per invoice and attempt, however often asked. */
    request: (job: ChargeJob) => deps.jobs.enqueue(CHARGES.name, `charge:${job.invoiceId}:${job.attempt}`, job),
    /** The job's work, for a worker: `jobs.work(CHARGES.name, charges.run)`. */
    run,
  };
};

export type Charges = ReturnType<typeof createCharges>;
