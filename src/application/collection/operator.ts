import { type Clock } from '../../clock/index.js';
import { z } from 'zod';
import { invoices } from '../invoice/index.js';
import { commandPath, type Ask } from '../shared/index.js';
import { originOnly, parseInput, reasonInput } from '../shared/index.js';
import { invoiceDecider, invoiceStreamName, MAX_GRACE_EXTENSION_DAYS, type DunningPolicy } from '../../domain/invoice/index.js';
import { ConflictError, displayText } from '../../domain/shared/index.js';
import { ExpectedRevisionMismatchError, type EventStore } from '../../eventstore/index.js';
import type { Charges } from './charge.js';

export const stopDunningInput = reasonInput;
export const extendGraceInput = z
  .object({ days: z.number().int().min(1).max(MAX_GRACE_EXTENSION_DAYS), reason: displayText(500).optional() })
  .strict();

export type CollectionDeps = Readonly<{ store: EventStore; clock: Clock; charges: Pick<Charges, 'request'> }>;

/** What `pay` asked for: the attempt, and its job (`enqueued` false when the job already existed). */
export type PayAnswer = Readonly<{ invoiceId: string; attempt: number; jobId: string; enqueued: boolean }>;

/**
 * Only for asking the decider whether an attempt would be refused: the policy
 * shapes the events of a failure, which this dry decision throws away, never
 * whether an attempt may be made. The job decides again with the real one.
 */
const ANY_POLICY: DunningPolicy = { retryDays: [], graceDays: 0 };

/**
 * What operators and API clients do to an invoice's collection: pay now
 * (a charge job), write it off, stop dunning, give more grace. Each is an
 * event on the invoice's stream with the caller as its actor, so the audit
 * trail shows who did it; a payment's events carry the caller through the job.
 */
export const createCollectionCommands = (deps: CollectionDeps) => {
  const path = commandPath(deps.store, deps.clock, invoices);
  const now = () => deps.clock.now().toISOString();

  /**
   * The attempt to ask for: the next one, unless the last has no result yet
   * (its job is answered). The decider's own AttemptPayment, decided on the
   * stream as it is, refuses what the job would be refused (not found, paid,
   * draft, void, nothing to collect) before a job exists.
   */
  const attemptFor = async (invoiceId: string, ask: Ask): Promise<number> => {
    const { state, revision } = await path.current(invoiceId);
    if (ask.ifMatch !== undefined && ask.ifMatch !== revision) {
      throw new ExpectedRevisionMismatchError(invoiceStreamName(invoiceId), ask.ifMatch, revision ?? 'no_stream');
    }
    const next = (state.status === 'NONE' ? 0 : (state.collection?.payments.length ?? 0)) + 1;
    try {
      invoiceDecider.decide({ type: 'AttemptPayment', data: { attempt: next, dunning: ANY_POLICY, now: now() } }, state);
      return next;
    } catch (err) {
      if (err instanceof ConflictError && err.reason === 'invoice.payment_in_progress') return next - 1;
      throw err;
    }
  };

  return {
    /**
     * "Retry now": attempt n + 1 as a charge job, whose key (invoice and
     * attempt) makes the same request twice one job. Once that attempt has a
     * result, asking again starts the next.
     */
    pay: async (invoiceId: string, ask: Ask): Promise<PayAnswer> => {
      const attempt = await attemptFor(invoiceId, ask);
      const { jobId, enqueued } = await deps.charges.request({ invoiceId, attempt, origin: originOnly(ask) });
      return { invoiceId, attempt, jobId, enqueued };
    },

    /** Writes an OPEN invoice off; paying it later is still allowed. */
    markUncollectible: (invoiceId: string, ask: Ask) => path.run(invoiceId, { type: 'MarkUncollectible', data: { now: now() } }, ask),

    /** No more automatic retries, notices or end of grace for this invoice. */
    stopDunning: async (invoiceId: string, input: z.input<typeof stopDunningInput>, ask: Ask) => {
      const valid = parseInput(stopDunningInput, input, 'invoice.invalid');
      return path.run(invoiceId, { type: 'StopDunning', data: { ...valid, now: now() } }, ask);
    },

    /** Moves the end of a running grace period `days` later. */
    extendGrace: async (invoiceId: string, input: z.input<typeof extendGraceInput>, ask: Ask) => {
      const valid = parseInput(extendGraceInput, input, 'invoice.invalid');
      return path.run(invoiceId, { type: 'ExtendGrace', data: { ...valid, now: now() } }, ask);
    },
  };
};

export type CollectionCommands = ReturnType<typeof createCollectionCommands>;
