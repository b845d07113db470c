import { addDays, compareInstants, ConflictError, NotFoundError, ValidationError } from '../shared/index.js';
import type {
  Collection,
  CollectionCommand,
  CollectionEvent,
  DunningPolicy,
  PaymentAttempted,
  PaymentFailed,
  PaymentRecord,
  PaymentSucceeded,
} from './collectionTypes.js';
import { decideDunning, evolveDunning } from './dunning.js';
import type { InvoiceMarkedUncollectible, InvoicePaid } from './events.js';
import { amountDueOf, collectible, type InvoiceState } from './state.js';

/**
 * Collecting an invoice: payment attempts and their results, and the dunning
 * they lead to, on the invoice's own stream. The application charges through
 * the gateway between an attempt and its result; the decider fixes what each
 * result means: paid, or when to retry, or when grace ends.
 */

const NO_COLLECTION: Collection = { payments: [] };

export const NO_PAYMENT_METHOD = 'no_payment_method';

/** The gateway's idempotency key of an attempt: a retried charge of the same attempt is the same charge. */
export const idempotencyKeyOf = (invoiceId: string, attempt: number): string => `${invoiceId}:attempt:${attempt}`;

const checkPolicy = ({ retryDays, graceDays }: DunningPolicy): void => {
  const days = (d: number) => Number.isSafeInteger(d) && d >= 0;
  if (!retryDays.every(days) || !retryDays.every((d, i) => i === 0 || d > retryDays[i - 1]!) || !days(graceDays)) {
    throw new ValidationError('invoice.invalid', 'retry days are whole days after the first failure, increasing; grace is whole days', { field: 'dunning' });
  }
};

/**
 * After a failure at `now`: the first retry day still ahead of it (counted
 * from the first failure, so a late run or a manual attempt never shifts the
 * plan), or grace once none is left, or at once on a hard decline. Grace,
 * once begun, runs to its end whatever else fails.
 */
const afterFailure = (c: Collection, hard: boolean, now: string, policy: DunningPolicy) => {
  if (c.stoppedAt) return { nextRetryAt: null, graceEndsAt: null };
  if (c.graceEndsAt) return { nextRetryAt: null, graceEndsAt: c.graceEndsAt };
  const first = c.firstFailedAt ?? now;
  const next = hard ? undefined : policy.retryDays.map((d) => addDays(first, d)).find((at) => compareInstants(at, now) > 0);
  return next ? { nextRetryAt: next, graceEndsAt: null } : { nextRetryAt: null, graceEndsAt: addDays(now, policy.graceDays) };
};

const failed = (invoiceId: string, c: Collection, attempt: number, r: { code: string; hard: boolean; chargeId?: string }, now: string, policy: DunningPolicy): PaymentFailed => ({
  type: 'PaymentFailed',
  data: { invoiceId, attempt, code: r.code, hard: r.hard, chargeId: r.chargeId ?? null, failedAt: now, ...afterFailure(c, r.hard, now, policy) },
});

export const decideCollection = (command: CollectionCommand, state: InvoiceState): (CollectionEvent | InvoicePaid | InvoiceMarkedUncollectible)[] => {
  switch (command.type) {
    case 'AttemptPayment': {
      const { attempt, paymentMethod, dunning, now } = command.data;
      if (!Number.isSafeInteger(attempt) || attempt < 1) throw new ValidationError('invoice.invalid', 'an attempt is a whole number from 1', { field: 'attempt' });
      // A retried attempt is answered by what it recorded, even once the invoice is paid.
      if (state.status !== 'NONE' && (state.collection?.payments.length ?? 0) >= attempt) return [];
      const invoice = collectible(state, 'be paid');
      checkPolicy(dunning);
      const c = invoice.collection ?? NO_COLLECTION;
      if (attempt !== c.payments.length + 1) throw new ConflictError('invoice.payment_out_of_order', `the next attempt is ${c.payments.length + 1}`, { attempt });
      if (c.payments.at(-1) && !c.payments.at(-1)!.result) throw new ConflictError('invoice.payment_in_progress', `attempt ${attempt - 1} has no result yet`);
      const due = amountDueOf(invoice);
      if (due === 0) throw new ConflictError('invoice.nothing_to_collect', 'nothing is due on the invoice: it is paid without a charge');
      const attempted: PaymentAttempted = {
        type: 'PaymentAttempted',
        data: {
          invoiceId: invoice.invoiceId,
          attempt,
          paymentMethod: paymentMethod ?? null,
          amount: due,
          currency: invoice.currency,
          idempotencyKey: idempotencyKeyOf(invoice.invoiceId, attempt),
          attemptedAt: now,
        },
      };
      if (paymentMethod !== undefined) return [attempted];
      return [attempted, failed(invoice.invoiceId, c, attempt, { code: NO_PAYMENT_METHOD, hard: true }, now, dunning)];
    }
    case 'RecordPaymentResult': {
      const { attempt, result, dunning, now } = command.data;
      if (state.status === 'NONE') throw new NotFoundError('invoice.not_found', 'the invoice does not exist');
      const payment = state.collection?.payments[attempt - 1];
      if (!payment) throw new ConflictError('invoice.payment_not_attempted', `attempt ${attempt} was never made`, { attempt });
      if (payment.result) {
        const same = payment.result.outcome === result.outcome && payment.result.chargeId === (result.chargeId ?? null);
        if (same) return [];
        throw new ConflictError('invoice.payment_result_conflict', `attempt ${attempt} already ${payment.result.outcome}`, { attempt });
      }
      checkPolicy(dunning);
      const { invoiceId, currency } = state;
      if (result.outcome === 'succeeded') {
        // The charge is the customer's money whatever became of the invoice: what it no longer owes is an overpayment, never dropped.
        const due = amountDueOf(state);
        const applied = Math.min(payment.amount, due);
        const succeeded: PaymentSucceeded = {
          type: 'PaymentSucceeded',
          data: { invoiceId, attempt, chargeId: result.chargeId, amount: payment.amount, currency, applied, overpaid: payment.amount - applied, succeededAt: now },
        };
        if (applied === 0 || applied < due) return [succeeded];
        return [succeeded, { type: 'InvoicePaid', data: { invoiceId, paymentId: result.chargeId, paidAt: now } }];
      }
      // Dunning goes on only while something is owed.
      if (state.status !== 'OPEN' && state.status !== 'UNCOLLECTIBLE') {
        const outcome = failed(invoiceId, NO_COLLECTION, attempt, result, now, dunning);
        return [{ ...outcome, data: { ...outcome.data, nextRetryAt: null, graceEndsAt: null } }];
      }
      return [failed(invoiceId, state.collection ?? NO_COLLECTION, attempt, result, now, dunning)];
    }
    case 'ExpireGrace':
    case 'StopDunning':
    case 'ExtendGrace':
      return decideDunning(command, state);
  }
  const _exhaustive: never = command;
  return _exhaustive;
};

/** When a collection event happened. */
export const collectionEventAt = (event: CollectionEvent): string => {
  switch (event.type) {
    case 'PaymentAttempted':
      return event.data.attemptedAt;
    case 'PaymentSucceeded':
      return event.data.succeededAt;
    case 'PaymentFailed':
      return event.data.failedAt;
    case 'DunningStopped':
      return event.data.stoppedAt;
    case 'GraceExtended':
      return event.data.extendedAt;
  }
};

/** What a collection event changes; other events leave the collection as it is. */
export const evolveCollection = (c: Collection | undefined, event: CollectionEvent): Collection => {
  const current = c ?? NO_COLLECTION;
  const withResult = (attempt: number, result: PaymentRecord['result']) =>
    current.payments.map((p) => (p.attempt === attempt ? { ...p, result } : p));
  switch (event.type) {
    case 'PaymentAttempted': {
      const { attempt, paymentMethod, amount, attemptedAt } = event.data;
      // The retry it was waiting for is being made: the attempt's result says when the next is due.
      const { nextRetryAt: _made, ...rest } = current;
      return { ...rest, payments: [...current.payments, { attempt, paymentMethod, amount, attemptedAt }] };
    }
    case 'PaymentSucceeded': {
      const { attempt, chargeId, succeededAt } = event.data;
      const applied = event.data.applied ?? event.data.amount;
      // Paid: nothing more is retried, and grace is over.
      return { payments: withResult(attempt, { outcome: 'succeeded', chargeId, applied, at: succeededAt }), ...(current.firstFailedAt && { firstFailedAt: current.firstFailedAt }) };
    }
    case 'PaymentFailed': {
      const { attempt, code, hard, chargeId, failedAt, nextRetryAt, graceEndsAt } = event.data;
      return {
        payments: withResult(attempt, { outcome: 'failed', code, hard, chargeId, at: failedAt }),
        firstFailedAt: current.firstFailedAt ?? failedAt,
        ...(nextRetryAt !== null && { nextRetryAt }),
        ...(graceEndsAt !== null && { graceEndsAt }),
        ...(current.stoppedAt && { stoppedAt: current.stoppedAt }),
      };
    }
    default:
      return evolveDunning(current, event);
  }
};
