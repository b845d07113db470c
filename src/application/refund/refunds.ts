import { createHash } from 'node:crypto';
import type { Clock } from '../../clock/index.js';
import { refundDecider, refundStreamName, type RefundFacts } from '../../domain/refund/index.js';
import { foldStream, handleCommand, type EventStore } from '../../eventstore/index.js';
import type { Jobs, QueueSpec } from '../../jobs/index.js';
import type { PaymentGateway } from '../payment/index.js';
import { contextOf, type Origin } from '../shared/index.js';

/** Refunds run as jobs: retried by pg-boss when the gateway cannot be reached or a worker dies. */
export const REFUNDS: QueueSpec = { name: 'refunds', retryLimit: 8, retryDelaySeconds: 15, expireInSeconds: 120 };

export type RefundJob = Readonly<{ refundId: string; origin?: Origin }>;
export type RefundDeps = Readonly<{ store: EventStore; clock: Clock; gateway: Pick<PaymentGateway, 'refund'>; jobs: Pick<Jobs, 'enqueue'> }>;

const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);

/** A refund's id from what it is for: a credit note's refund of one charge, or an invoice's overpayment by one attempt. */
export const refundIdFor = (cause: RefundFacts['cause'], invoiceId: string, chargeId: string): string =>
  cause.kind === 'credit_note' ? `re_${hash(`${cause.creditNoteId}|${chargeId}`)}` : `re_${hash(`overpayment|${invoiceId}|${cause.attempt}`)}`;

const REFUNDING: Origin = { actor: { id: 'system:collections' }, source: 'process:collections', correlationId: 'refunds' };

/**
 * Refunds: a stream per refund, created once with "no stream" under an id
 * derived from its cause, then a job that asks the gateway under the
 * refund's id as idempotency key and records what it said. A worker killed
 * between the gateway's refund and the result is run again: the gateway
 * answers the same key with the first refund, and refunds nothing twice.
 */
export const createRefunds = (deps: RefundDeps) => {
  const request = async (facts: Omit<RefundFacts, 'refundId'>, origin: Origin) => {
    const refundId = refundIdFor(facts.cause, facts.invoiceId, facts.chargeId);
    const now = deps.clock.now();
    await handleCommand(
      deps.store,
      refundStreamName(refundId),
      refundDecider,
      { type: 'RequestRefund', data: { refundId, ...facts, now: now.toISOString() } },
      { ...contextOf(origin, now), commandId: `request:${refundId}` },
    );
    await deps.jobs.enqueue(REFUNDS.name, `refund:${refundId}`, { refundId } satisfies RefundJob);
    return refundId;
  };

  const run = async ({ refundId, origin = REFUNDING }: RefundJob): Promise<void> => {
    const stream = refundStreamName(refundId);
    const { state } = await foldStream(deps.store, stream, refundDecider);
    if (state.status !== 'PENDING') return;
    const refunded = await deps.gateway.refund({ chargeId: state.chargeId, amount: state.amount, currency: state.currency, idempotencyKey: refundId });
    const now = deps.clock.now();
    const result =
      refunded.outcome === 'succeeded'
        ? ({ outcome: 'succeeded', gatewayRefundId: refunded.refundId } as const)
        : ({ outcome: 'failed', code: refunded.code, gatewayRefundId: refunded.refundId } as const);
    await handleCommand(deps.store, stream, refundDecider, { type: 'RecordRefundResult', data: { result, now: now.toISOString() } }, {
      ...contextOf(origin, now),
      commandId: `result:${refundId}`,
    });
  };

  return { request, run };
};

export type Refunds = ReturnType<typeof createRefunds>;
