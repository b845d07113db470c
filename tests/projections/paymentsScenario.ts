import { randomUUID } from 'node:crypto';
import { invoiceDecider, invoiceStreamName, type DunningPolicy, type InvoiceCommand } from '../../src/domain/invoice/index.js';
import { handleCommand, type EventStore } from '../../src/eventstore/index.js';

/** An instant in 2026: at('05-01', 6) is 2026-05-01T06:00:00.000Z. */
export const at = (monthDay: string, hour = 0): string => `2026-${monthDay}T${String(hour).padStart(2, '0')}:00:00.000Z`;

/** Retries one and three days after the first failure, then 30 days of grace. */
export const POLICY: DunningPolicy = { retryDays: [1, 3], graceDays: 30 };

const invoice = (letter: string) => `inv_${letter.repeat(32)}`;
/** One invoice per way a collection can go; each bills 1,000 usd. */
export const INV = {
  /** Two soft declines, then paid by the third attempt. */
  paid: invoice('a'),
  /** No payment method (a hard decline at once, grace), grace extended, a hard decline in grace, then written off when grace ended. */
  graceEnded: invoice('b'),
  /** A soft decline, dunning stopped, then a manual attempt declined: OPEN, no retry, no grace. */
  stopped: invoice('c'),
  /** A soft decline, written off by an operator, then declined again: no retry is kept for an invoice no longer OPEN. */
  writtenOff: invoice('d'),
  /** Attempted, no result yet. */
  pending: invoice('e'),
  /** A soft decline, then voided. */
  voided: invoice('f'),
  /** A hard decline (grace), then voided. */
  voidedInGrace: invoice('6'),
  /** Declined on every retry: in grace, still OPEN. */
  inGrace: invoice('1'),
  /** Declined once: a retry due, OPEN. */
  retrying: invoice('2'),
  /** Declined, dunning stopped, then paid by a manual attempt. */
  stoppedThenPaid: invoice('3'),
  /** Paid by its first attempt: no dunning. */
  paidAtOnce: invoice('4'),
  /** Never attempted. */
  untouched: invoice('5'),
} as const;

export const CUSTOMER = { first: 'cus_payments_first', second: 'cus_payments_second' };
export const SUBSCRIPTION = { first: 'sub_payments_first', second: 'sub_payments_second' };
/** Whom each invoice bills: the second customer's are the stopped and the pending ones. */
export const customerOf = (invoiceId: string): 'first' | 'second' =>
  invoiceId === INV.stopped || invoiceId === INV.pending ? 'second' : 'first';

/** Appends the scenario's history through the invoice decider, at fixed instants. */
export const runPaymentsScenario = async (store: EventStore): Promise<void> => {
  const on = (invoiceId: string, command: InvoiceCommand) => {
    const now = (command.data as { now: string }).now;
    return handleCommand(store, invoiceStreamName(invoiceId), invoiceDecider, command, {
      correlationId: randomUUID(),
      actor: { id: 'system:collections' },
      source: 'test',
      occurredAt: new Date(now),
    });
  };
  const open = async (invoiceId: string, n: number) => {
    const whom = customerOf(invoiceId);
    const start = at('05-01');
    await on(invoiceId, {
      type: 'CreateInvoice',
      data: {
        invoiceId, customerId: CUSTOMER[whom], subscriptionId: SUBSCRIPTION[whom], currency: 'usd', draft: false, now: start,
        lines: [{ type: 'plan_charge', itemKey: `plan:${n}`, description: 'Plan', quantity: 1, unitAmount: 1_000, amount: 1_000, currency: 'usd', period: { start, end: at('06-01') } }],
        cause: { kind: 'period', periodStart: start },
      },
    });
    await on(invoiceId, { type: 'FinalizeInvoice', data: { number: `2026-${String(n).padStart(6, '0')}`, now: start } });
  };
  /** `null`: the customer has no payment method. */
  const attempt = (invoiceId: string, n: number, now: string, paymentMethod: string | null = 'pm_card') =>
    on(invoiceId, { type: 'AttemptPayment', data: { attempt: n, ...(paymentMethod !== null && { paymentMethod }), dunning: POLICY, now } });
  const decline = (invoiceId: string, n: number, now: string, code = 'insufficient_funds', hard = false) =>
    on(invoiceId, { type: 'RecordPaymentResult', data: { attempt: n, result: { outcome: 'failed', code, hard, chargeId: `ch_${invoiceId}_${n}` }, dunning: POLICY, now } });
  const succeed = (invoiceId: string, n: number, now: string) =>
    on(invoiceId, { type: 'RecordPaymentResult', data: { attempt: n, result: { outcome: 'succeeded', chargeId: `ch_${invoiceId}_${n}` }, dunning: POLICY, now } });
  const tryAndDecline = async (invoiceId: string, n: number, now: string, code?: string, hard?: boolean) => {
    await attempt(invoiceId, n, now);
    await decline(invoiceId, n, now, code, hard);
  };

  let n = 0;
  for (const invoiceId of Object.values(INV)) await open(invoiceId, ++n);

  await tryAndDecline(INV.paid, 1, at('05-01', 1));
  await tryAndDecline(INV.paid, 2, at('05-02', 1));
  await attempt(INV.paid, 3, at('05-04', 1));
  await succeed(INV.paid, 3, at('05-04', 2));

  await attempt(INV.graceEnded, 1, at('05-01', 1), null);
  await on(INV.graceEnded, { type: 'ExtendGrace', data: { days: 5, reason: 'asked nicely', now: at('05-20') } });
  await tryAndDecline(INV.graceEnded, 2, at('05-21'), 'card_declined', true);
  await on(INV.graceEnded, { type: 'ExpireGrace', data: { now: at('06-05', 1) } });

  await tryAndDecline(INV.stopped, 1, at('05-01', 1));
  await on(INV.stopped, { type: 'StopDunning', data: { reason: 'disputed', now: at('05-01', 12) } });
  await tryAndDecline(INV.stopped, 2, at('05-03'), 'expired_card');

  await tryAndDecline(INV.writtenOff, 1, at('05-01', 1));
  await on(INV.writtenOff, { type: 'MarkUncollectible', data: { now: at('05-01', 6) } });
  await tryAndDecline(INV.writtenOff, 2, at('05-03'));

  await attempt(INV.pending, 1, at('05-01', 1), 'pm_ok');

  await tryAndDecline(INV.voided, 1, at('05-01', 1));
  await on(INV.voided, { type: 'VoidInvoice', data: { reason: 'billed twice', now: at('05-01', 8) } });

  await tryAndDecline(INV.voidedInGrace, 1, at('05-01', 1), 'card_declined', true);
  await on(INV.voidedInGrace, { type: 'VoidInvoice', data: { now: at('05-02') } });

  await tryAndDecline(INV.inGrace, 1, at('05-01', 1));
  await tryAndDecline(INV.inGrace, 2, at('05-02', 1));
  await tryAndDecline(INV.inGrace, 3, at('05-04', 1));

  await tryAndDecline(INV.retrying, 1, at('05-01', 1));

  await tryAndDecline(INV.stoppedThenPaid, 1, at('05-01', 1));
  await on(INV.stoppedThenPaid, { type: 'StopDunning', data: { now: at('05-01', 12) } });
  await attempt(INV.stoppedThenPaid, 2, at('05-03'));
  await succeed(INV.stoppedThenPaid, 2, at('05-03', 1));

  await attempt(INV.paidAtOnce, 1, at('05-01', 1));
  await succeed(INV.paidAtOnce, 1, at('05-01', 2));
};
