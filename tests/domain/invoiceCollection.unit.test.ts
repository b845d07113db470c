import { describe, expect, it } from 'vitest';
import { invoiceDecider, type DunningPolicy, type InvoiceCommand, type InvoiceEvent, type PaymentResult } from '../../src/domain/invoice/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/domain/shared/index.js';
import { created, createdWith, finalized, FINALIZED_AT, fold, history, invoiceId, line, markedUncollectible, spec } from './invoiceFixtures.js';

/**
 * Collecting inv_1 (4,500 EUR, finalised Mar 1 00:05): attempts, results and
 * dunning on the default policy, retries 1, 3, 5 and 7 days after the first
 * failure, then 30 days of grace.
 */
const DUNNING: DunningPolicy = { retryDays: [1, 3, 5, 7], graceDays: 30 };
const day = (d: number, hour = 0) => new Date(Date.parse(FINALIZED_AT) + d * 86_400_000 + hour * 3_600_000).toISOString();

/** `null`: the customer has no payment method. */
const attempt = (n: number, now: string, paymentMethod: string | null = 'pm_card'): InvoiceCommand => ({
  type: 'AttemptPayment',
  data: { attempt: n, ...(paymentMethod !== null && { paymentMethod }), dunning: DUNNING, now },
});
const result = (n: number, r: PaymentResult, now: string): InvoiceCommand => ({ type: 'RecordPaymentResult', data: { attempt: n, result: r, dunning: DUNNING, now } });
const soft: PaymentResult = { outcome: 'failed', code: 'insufficient_funds', hard: false, chargeId: 'ch_soft' };
const hard: PaymentResult = { outcome: 'failed', code: 'card_declined', hard: true, chargeId: 'ch_hard' };
const ok = (chargeId = 'ch_ok'): PaymentResult => ({ outcome: 'succeeded', chargeId });

const attempted = (n: number, now: string, paymentMethod: string | null = 'pm_card'): InvoiceEvent => ({
  type: 'PaymentAttempted',
  data: { invoiceId, attempt: n, paymentMethod, amount: 4_500, currency: 'eur', idempotencyKey: `${invoiceId}:attempt:${n}`, attemptedAt: now },
});
const failedWith = (n: number, r: { code: string; hard: boolean; chargeId: string | null }, now: string, next: { nextRetryAt?: string; graceEndsAt?: string }): InvoiceEvent => ({
  type: 'PaymentFailed',
  data: { invoiceId, attempt: n, ...r, failedAt: now, nextRetryAt: next.nextRetryAt ?? null, graceEndsAt: next.graceEndsAt ?? null },
});
const softFailed = (n: number, now: string, next: { nextRetryAt?: string; graceEndsAt?: string }) =>
  failedWith(n, { code: 'insufficient_funds', hard: false, chargeId: 'ch_soft' }, now, next);

const open = [created, finalized];
/** The first attempt failed softly on day 0 at 01:00: retries are due on days 1, 3, 5 and 7 at 01:00. */
const firstFailure = [...open, attempted(1, day(0, 1)), softFailed(1, day(0, 1), { nextRetryAt: day(1, 1) })];

describe('Invoice payment attempts', () => {
  it('attempts an open invoice for its total, with an idempotency key of the invoice and the attempt', () =>
    spec.given(open).when(attempt(1, day(0, 1))).then([attempted(1, day(0, 1))]));

  it('answers a retried attempt with nothing, and refuses one out of order or while the last has no result', () => {
    spec.given([...open, attempted(1, day(0, 1))]).when(attempt(1, day(0, 2))).then([]);
    spec.given(open).when(attempt(2, day(0, 1))).then({ error: ConflictError, reason: 'invoice.payment_out_of_order' });
    spec.given([...open, attempted(1, day(0, 1))]).when(attempt(2, day(0, 2))).then({ error: ConflictError, reason: 'invoice.payment_in_progress' });
    spec.given(open).when(attempt(0, day(0, 1))).then({ error: ValidationError, reason: 'invoice.invalid' });
  });

  it('fails at once, as a hard decline, without a payment method: grace begins', () =>
    spec.given(open).when(attempt(1, day(0, 1), null)).then([
      attempted(1, day(0, 1), null),
      failedWith(1, { code: 'no_payment_method', hard: true, chargeId: null }, day(0, 1), { graceEndsAt: day(30, 1) }),
    ]));

  it('refuses a draft, a void invoice, a paid one and one that does not exist, and one that totals 0', () => {
    spec.given([created]).when(attempt(1, day(0, 1))).then({ error: ConflictError, reason: 'invoice.invalid_transition' });
    spec.given(history.VOID).when(attempt(1, day(0, 1))).then({ error: ConflictError, reason: 'invoice.invalid_transition' });
    spec.given(history.PAID).when(attempt(1, day(0, 1))).then({ error: ConflictError, reason: 'invoice.already_paid' });
    spec.given([]).when(attempt(1, day(0, 1))).then({ error: NotFoundError, reason: 'invoice.not_found' });
    const zero = createdWith([line({ amount: 0, unitAmount: 0 })], 0);
    spec.given([zero, finalized]).when(attempt(1, day(0, 1))).then({ error: ConflictError, reason: 'invoice.nothing_to_collect' });
  });

  it('may collect an uncollectible invoice (it becomes paid)', () => {
    spec.given([...history.UNCOLLECTIBLE]).when(attempt(1, day(0, 1))).then([attempted(1, day(0, 1))]);
    spec.given([...history.UNCOLLECTIBLE, attempted(1, day(0, 1))]).when(result(1, ok(), day(0, 1))).then([
      { type: 'PaymentSucceeded', data: { invoiceId, attempt: 1, chargeId: 'ch_ok', amount: 4_500, currency: 'eur', applied: 4_500, overpaid: 0, succeededAt: day(0, 1) } },
      { type: 'InvoicePaid', data: { invoiceId, paymentId: 'ch_ok', paidAt: day(0, 1) } },
    ]);
  });
});

describe('Invoice payment results and dunning', () => {
  it('pays the invoice on success, with the charge as the payment', () => {
    spec.given([...open, attempted(1, day(0, 1))]).when(result(1, ok(), day(0, 1))).then([
      { type: 'PaymentSucceeded', data: { invoiceId, attempt: 1, chargeId: 'ch_ok', amount: 4_500, currency: 'eur', applied: 4_500, overpaid: 0, succeededAt: day(0, 1) } },
      { type: 'InvoicePaid', data: { invoiceId, paymentId: 'ch_ok', paidAt: day(0, 1) } },
    ]);
  });

  it('schedules soft retries 1, 3, 5 and 7 days after the first failure, then begins 30 days of grace', () => {
    const events = [...firstFailure];
    const days = [1, 3, 5, 7];
    days.forEach((d, i) => {
      const n = i + 2;
      spec.given(events).when(attempt(n, day(d, 1))).then([attempted(n, day(d, 1))]);
      events.push(attempted(n, day(d, 1)));
      const next = days[i + 1] !== undefined ? { nextRetryAt: day(days[i + 1]!, 1) } : { graceEndsAt: day(37, 1) };
      spec.given(events).when(result(n, soft, day(d, 1))).then([softFailed(n, day(d, 1), next)]);
      events.push(softFailed(n, day(d, 1), next));
    });
    const state = fold(events);
    expect(state).toMatchObject({ status: 'OPEN', collection: { firstFailedAt: day(0, 1), graceEndsAt: day(37, 1) } });
    expect(state.status !== 'NONE' && state.collection!.nextRetryAt).toBeUndefined();
  });

  it('keeps the plan when a retry runs late or a manual attempt comes between: the next retry is the first day still ahead', () => {
    // The day-1 retry ran on day 4 (downtime): the next is day 5, not day 3.
    const late = [...firstFailure, attempted(2, day(4, 1))];
    spec.given(late).when(result(2, soft, day(4, 1))).then([softFailed(2, day(4, 1), { nextRetryAt: day(5, 1) })]);
    // A manual attempt on day 0 at 12:00 fails: the day-1 retry stays.
    const manual = [...firstFailure, attempted(2, day(0, 12))];
    spec.given(manual).when(result(2, soft, day(0, 12))).then([softFailed(2, day(0, 12), { nextRetryAt: day(1, 1) })]);
  });

  it('never retries a hard decline: grace begins at once, and runs to its end whatever fails later', () => {
    const declined = [...open, attempted(1, day(0, 1)), failedWith(1, { code: 'card_declined', hard: true, chargeId: 'ch_hard' }, day(0, 1), { graceEndsAt: day(30, 1) })];
    spec.given([...open, attempted(1, day(0, 1))]).when(result(1, hard, day(0, 1))).then([declined.at(-1)!]);
    spec.given([...declined, attempted(2, day(10))]).when(result(2, soft, day(10))).then([softFailed(2, day(10), { graceEndsAt: day(30, 1) })]);
  });

  it('recovers from any point: a success clears the retry and the grace', () => {
    const inGrace = [...open, attempted(1, day(0, 1)), failedWith(1, { code: 'card_declined', hard: true, chargeId: 'ch_hard' }, day(0, 1), { graceEndsAt: day(30, 1) })];
    const attemptedAgain = [...inGrace, attempted(2, day(12))];
    const success: InvoiceEvent[] = [
      { type: 'PaymentSucceeded', data: { invoiceId, attempt: 2, chargeId: 'ch_2', amount: 4_500, currency: 'eur', applied: 4_500, overpaid: 0, succeededAt: day(12) } },
      { type: 'InvoicePaid', data: { invoiceId, paymentId: 'ch_2', paidAt: day(12) } },
    ];
    spec.given(attemptedAgain).when(result(2, ok('ch_2'), day(12))).then(success);
    const state = fold([...attemptedAgain, ...success]);
    expect(state).toMatchObject({ status: 'PAID', paymentId: 'ch_2' });
    expect(state.status === 'PAID' && [state.collection!.nextRetryAt, state.collection!.graceEndsAt]).toEqual([undefined, undefined]);
  });

  it('answers the same result again with nothing, and refuses another result or one for an attempt never made', () => {
    const recorded = [...firstFailure];
    spec.given(recorded).when(result(1, soft, day(0, 2))).then([]);
    spec.given(recorded).when(result(1, ok(), day(0, 2))).then({ error: ConflictError, reason: 'invoice.payment_result_conflict' });
    spec.given(open).when(result(1, ok(), day(0, 1))).then({ error: ConflictError, reason: 'invoice.payment_not_attempted' });
  });

  it('refuses a policy whose retry days do not increase', () => {
    spec
      .given(open)
      .when({ type: 'AttemptPayment', data: { attempt: 1, paymentMethod: 'pm', dunning: { retryDays: [3, 1], graceDays: 30 }, now: day(0) } })
      .then({ error: ValidationError, reason: 'invoice.invalid' });
  });
});

describe('Invoice grace', () => {
  const inGrace = [...open, attempted(1, day(0, 1)), failedWith(1, { code: 'card_declined', hard: true, chargeId: 'ch_hard' }, day(0, 1), { graceEndsAt: day(30, 1) })];
  const expire = (now: string): InvoiceCommand => ({ type: 'ExpireGrace', data: { now } });

  it('makes the invoice uncollectible once grace has ended, and not a moment before', () => {
    spec.given(inGrace).when(expire(day(30, 1))).then([{ type: 'InvoiceMarkedUncollectible', data: { invoiceId, reason: 'grace_ended', markedAt: day(30, 1) } }]);
    spec.given(inGrace).when(expire(day(30, 0))).then({ error: ConflictError, reason: 'invoice.grace_running' });
    spec.given(open).when(expire(day(40))).then({ error: ConflictError, reason: 'invoice.grace_running' });
  });

  it('answers an uncollectible invoice with nothing, and refuses a paid one', () => {
    spec.given([...inGrace, markedUncollectible]).when(expire(day(31))).then([]);
    spec.given(history.PAID).when(expire(day(31))).then({ error: ConflictError, reason: 'invoice.already_paid' });
  });
});

describe('Invoice retries under way', () => {
  it('has no retry due while one is being made: the attempt’s result says when the next is', () => {
    expect(fold(firstFailure)).toHaveProperty('collection.nextRetryAt', day(1, 1));
    const retrying = fold([...firstFailure, attempted(2, day(1, 1))]);
    expect(retrying).toHaveProperty('collection.firstFailedAt', day(0, 1));
    expect(retrying).not.toHaveProperty('collection.nextRetryAt');
  });
});

describe('Invoice dunning, as an operator overrides it', () => {
  const inGrace = [...open, attempted(1, day(0, 1)), failedWith(1, { code: 'card_declined', hard: true, chargeId: 'ch_hard' }, day(0, 1), { graceEndsAt: day(30, 1) })];
  const stop: InvoiceCommand = { type: 'StopDunning', data: { reason: 'disputed', now: day(2) } };
  const stopped: InvoiceEvent = { type: 'DunningStopped', data: { invoiceId, reason: 'disputed', stoppedAt: day(2) } };
  const extend = (days: number, now = day(20)): InvoiceCommand => ({ type: 'ExtendGrace', data: { days, now } });

  it('stops retries and grace: a later failure schedules neither, and grace never ends', () => {
    spec.given(firstFailure).when(stop).then([stopped]);
    expect(fold([...firstFailure, stopped])).toHaveProperty('collection', {
      payments: [{ attempt: 1, paymentMethod: 'pm_card', amount: 4_500, attemptedAt: day(0, 1), result: { outcome: 'failed', code: 'insufficient_funds', hard: false, chargeId: 'ch_soft', at: day(0, 1) } }],
      firstFailedAt: day(0, 1),
      stoppedAt: day(2),
    });
    spec.given([...inGrace, stopped, attempted(2, day(3))]).when(result(2, soft, day(3))).then([softFailed(2, day(3), {})]);
    spec.given([...inGrace, stopped]).when({ type: 'ExpireGrace', data: { now: day(40) } }).then({ error: ConflictError, reason: 'invoice.grace_running' });
    spec.given([...inGrace, stopped]).when(stop).then([]);
  });

  it('refuses to stop dunning that never began, or on a paid invoice', () => {
    spec.given(open).when(stop).then({ error: ConflictError, reason: 'invoice.not_in_dunning' });
    spec.given(history.PAID).when(stop).then({ error: ConflictError, reason: 'invoice.already_paid' });
  });

  it('moves the end of grace later by whole days, from where it was', () => {
    const extended: InvoiceEvent = { type: 'GraceExtended', data: { invoiceId, previousGraceEndsAt: day(30, 1), graceEndsAt: day(44, 1), extendedAt: day(20) } };
    spec.given(inGrace).when(extend(14)).then([extended]);
    expect(fold([...inGrace, extended])).toHaveProperty('collection.graceEndsAt', day(44, 1));
    spec.given([...inGrace, extended]).when({ type: 'ExpireGrace', data: { now: day(30, 1) } }).then({ error: ConflictError, reason: 'invoice.grace_running' });
  });

  it('refuses an extension before grace, after a stop, or of no whole days', () => {
    spec.given(firstFailure).when(extend(5)).then({ error: ConflictError, reason: 'invoice.grace_not_started' });
    spec.given([...inGrace, stopped]).when(extend(5)).then({ error: ConflictError, reason: 'invoice.dunning_stopped' });
    for (const days of [0, -1, 1.5, 366]) spec.given(inGrace).when(extend(days)).then({ error: ValidationError, reason: 'invoice.invalid' });
  });
});

describe('Invoice money while a charge is out', () => {
  const inFlight = [...open, attempted(1, day(0, 1))];
  const voided: InvoiceEvent = { type: 'InvoiceVoided', data: { invoiceId, voidedAt: day(0, 2) } };
  const succeeded = (applied: number, overpaid: number): InvoiceEvent => ({
    type: 'PaymentSucceeded',
    data: { invoiceId, attempt: 1, chargeId: 'ch_ok', amount: 4_500, currency: 'eur', applied, overpaid, succeededAt: day(0, 3) },
  });

  it('refuses to void or write off an invoice whose attempt has no result: the charge may be succeeding', () => {
    spec.given(inFlight).when({ type: 'VoidInvoice', data: { now: day(0, 2) } }).then({ error: ConflictError, reason: 'invoice.payment_in_flight' });
    spec.given(inFlight).when({ type: 'MarkUncollectible', data: { now: day(0, 2) } }).then({ error: ConflictError, reason: 'invoice.payment_in_flight' });
    spec.given([...inFlight, softFailed(1, day(0, 2), { nextRetryAt: day(1, 1) })]).when({ type: 'VoidInvoice', data: { now: day(0, 3) } }).then([
      { type: 'InvoiceVoided', data: { invoiceId, voidedAt: day(0, 3) } },
    ]);
  });

  it('records a success that lands on an invoice voided while it was out (as streams written before the refusal have) as an overpayment, never drops it', () => {
    spec.given([...inFlight, voided]).when(result(1, ok(), day(0, 3))).then([succeeded(0, 4_500)]);
    expect(fold([...inFlight, voided, succeeded(0, 4_500)])).toMatchObject({ status: 'VOID', paid: 0, collection: { payments: [{ result: { outcome: 'succeeded' } }] } });
  });

  it('records a failure on an invoice no longer owed without retries or grace', () =>
    spec.given([...inFlight, voided]).when(result(1, soft, day(0, 3))).then([
      failedWith(1, { code: 'insufficient_funds', hard: false, chargeId: 'ch_soft' }, day(0, 3), {}),
    ]));

  it('charges the amount due: the total less the credit applied', () => {
    const credited = createdWith([line(), line({ type: 'credit_applied', itemKey: 'credit', amount: -1_500, quantity: 1, unitAmount: -1_500 })], 4_500, { creditApplied: 1_500 });
    spec.given([credited, finalized]).when(attempt(1, day(0, 1))).then([{ ...attempted(1, day(0, 1)), data: { ...attempted(1, day(0, 1)).data, amount: 3_000 } } as InvoiceEvent]);
  });
});

describe('Invoice credit notes and money that moved', () => {
  const note = (id: string, extra: Record<string, unknown> = {}): InvoiceCommand => ({
    type: 'IssueCreditNote',
    data: { creditNoteId: id, reason: 'other', amount: 1_500, now: day(0, 1), ...extra } as never,
  });
  const voidNote = (id: string): InvoiceCommand => ({ type: 'VoidCreditNote', data: { creditNoteId: id, now: day(0, 2) } });
  const decided = (given: InvoiceEvent[], command: InvoiceCommand) => [...given, ...invoiceDecider.decide(command, fold(given))];

  it('refuses to void a credit note while a charge of the reduced amount is out', () => {
    const noted = decided(open, note('cn_a'));
    const charging = decided(noted, attempt(1, day(0, 1)));
    spec.given(charging).when(voidNote('cn_a')).then({ error: ConflictError, reason: 'invoice.payment_in_flight' });
    spec.given(noted).when(voidNote('cn_a')).then([{ type: 'InvoiceCreditNoteVoided', data: { invoiceId, creditNoteId: 'cn_a', prePayment: 1_500, voidedAt: day(0, 2) } }]);
  });

  it('keeps final a credit note that gave money back out of band, and the billing engine’s own', () => {
    const paid = [...open, attempted(1, day(0, 1)), ...invoiceDecider.decide(result(1, ok(), day(0, 1)), fold([...open, attempted(1, day(0, 1))]))];
    spec.given(decided(paid, note('cn_b', { outOfBand: 1_500 }))).when(voidNote('cn_b')).then({ error: ConflictError, reason: 'credit_note.cannot_void' });
    spec.given(decided(open, note('cn_c', { automatic: true }))).when(voidNote('cn_c')).then({ error: ConflictError, reason: 'credit_note.cannot_void' });
  });

  it('refuses to void an invoice charges paid part of', () => {
    const partly: InvoiceEvent[] = [
      ...open,
      { ...attempted(1, day(0, 1)), data: { ...attempted(1, day(0, 1)).data, amount: 3_000 } } as InvoiceEvent,
      { type: 'PaymentSucceeded', data: { invoiceId, attempt: 1, chargeId: 'ch_1', amount: 3_000, currency: 'eur', applied: 3_000, overpaid: 0, succeededAt: day(0, 2) } },
    ];
    spec.given(partly).when({ type: 'VoidInvoice', data: { now: day(0, 3) } }).then({ error: ConflictError, reason: 'invoice.partially_paid' });
  });
});
