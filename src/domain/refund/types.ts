import type { Command, Event } from '../shared/index.js';

/**
 * A refund of part of one charge, as its own stream (`refund-re_…`), created
 * once with "no stream" under an id derived from what it is for: a credit
 * note's refund of a charge, or an overpayment given back. The gateway is
 * asked once per refund, under the refund's id as its idempotency key.
 */
export type RefundFacts = Readonly<{
  refundId: string;
  invoiceId: string;
  customerId: string;
  chargeId: string;
  amount: number;
  currency: string;
  /** What it gives back: a credit note's refund, or an overpayment. */
  cause: Readonly<{ kind: 'credit_note'; creditNoteId: string }> | Readonly<{ kind: 'overpayment'; attempt: number }>;
}>;

export type RequestRefund = Command<'RequestRefund', RefundFacts & { now: string }>;
export type RecordRefundResult = Command<
  'RecordRefundResult',
  { result: Readonly<{ outcome: 'succeeded'; gatewayRefundId: string }> | Readonly<{ outcome: 'failed'; code: string; gatewayRefundId: string }>; now: string }
>;
export type RefundCommand = RequestRefund | RecordRefundResult;

export type RefundRequested = Event<'RefundRequested', RefundFacts & { requestedAt: string }>;
/** Results repeat what was refunded (amount, currency, whose), so a reader of one event knows the money it moved. */
type Moved = { refundId: string; invoiceId: string; customerId: string; amount: number; currency: string; gatewayRefundId: string };
export type RefundSucceeded = Event<'RefundSucceeded', Moved & { succeededAt: string }>;
/** A refund the gateway refused: the money is still the customer's, and goes to its credit balance. */
export type RefundFailed = Event<'RefundFailed', Moved & { code: string; failedAt: string }>;
export type RefundEvent = RefundRequested | RefundSucceeded | RefundFailed;

export type RefundState =
  | Readonly<{ status: 'NONE' }>
  | Readonly<RefundFacts & { status: 'PENDING'; requestedAt: string }>
  | Readonly<RefundFacts & { status: 'SUCCEEDED'; requestedAt: string; gatewayRefundId: string; settledAt: string }>
  | Readonly<RefundFacts & { status: 'FAILED'; requestedAt: string; gatewayRefundId: string; code: string; settledAt: string }>;
