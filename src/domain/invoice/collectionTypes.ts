import type { Command, Event } from '../shared/index.js';

/**
 * The commands, events and state of an invoice's collection: payment attempts,
 * their results and dunning. Types only, so that the invoice's state, its events
 * and the deciders of collection and dunning all stand on this one file.
 */

/** Retries on these days after the first failure (soft declines only), then a grace period of `graceDays` days. */
export type DunningPolicy = Readonly<{ retryDays: readonly number[]; graceDays: number }>;

export type PaymentResult =
  | Readonly<{ outcome: 'succeeded'; chargeId: string }>
  | Readonly<{ outcome: 'failed'; code: string; hard: boolean; chargeId?: string }>;

/** The next attempt; without a payment method it fails at once, as a hard decline (no charge is made). */
export type AttemptPayment = Command<'AttemptPayment', { attempt: number; paymentMethod?: string; dunning: DunningPolicy; now: string }>;
export type RecordPaymentResult = Command<'RecordPaymentResult', { attempt: number; result: PaymentResult; dunning: DunningPolicy; now: string }>;

export type PaymentAttempted = Event<
  'PaymentAttempted',
  { invoiceId: string; attempt: number; paymentMethod: string | null; amount: number; currency: string; idempotencyKey: string; attemptedAt: string }
>;
/**
 * `amount` is what the gateway charged: the amount due when the attempt was
 * made. `applied` went to the invoice; `overpaid`, the rest, is the
 * customer's (a charge that landed after the invoice was paid, voided, or
 * reduced): it is recorded, never dropped. Events recorded before the two
 * fields existed applied the whole amount.
 */
export type PaymentSucceeded = Event<
  'PaymentSucceeded',
  { invoiceId: string; attempt: number; chargeId: string; amount: number; currency: string; applied?: number; overpaid?: number; succeededAt: string }
>;
export type PaymentFailed = Event<
  'PaymentFailed',
  {
    invoiceId: string;
    attempt: number;
    code: string;
    hard: boolean;
    chargeId: string | null;
    failedAt: string;
    /** When the next automatic retry is due; null once none is left (or after a hard decline). */
    nextRetryAt: string | null;
    /** When grace ends, once it has begun. */
    graceEndsAt: string | null;
  }
>;

export type PaymentRecord = Readonly<{
  attempt: number;
  paymentMethod: string | null;
  /** What the attempt charges: the amount due when it was made. */
  amount: number;
  attemptedAt: string;
  /** A success's `applied` is what it paid of the invoice (absent in states kept before it was recorded: the attempt's amount). */
  result?: Readonly<{ outcome: 'succeeded'; chargeId: string; applied?: number; at: string } | { outcome: 'failed'; code: string; hard: boolean; chargeId: string | null; at: string }>;
}>;

export type Collection = Readonly<{
  payments: readonly PaymentRecord[];
  /** The first failure: the retry days count from it. */
  firstFailedAt?: string;
  nextRetryAt?: string;
  graceEndsAt?: string;
  /** An operator stopped dunning: no automatic retry, no notice, no end of grace; the invoice waits for a payment or an operator. */
  stoppedAt?: string;
}>;

/** Grace has ended: the invoice becomes uncollectible (and the application cancels its subscription). */
export type ExpireGrace = Command<'ExpireGrace', { now: string }>;
/** No more automatic retries, reminders or end of grace: the invoice stays open until paid, voided or written off. */
export type StopDunning = Command<'StopDunning', { reason?: string; now: string }>;
/** Moves the end of a running grace period `days` later. */
export type ExtendGrace = Command<'ExtendGrace', { days: number; reason?: string; now: string }>;
export type DunningCommand = ExpireGrace | StopDunning | ExtendGrace;

export type DunningStopped = Event<'DunningStopped', { invoiceId: string; reason?: string; stoppedAt: string }>;
export type GraceExtended = Event<'GraceExtended', { invoiceId: string; previousGraceEndsAt: string; graceEndsAt: string; reason?: string; extendedAt: string }>;
export type DunningEvent = DunningStopped | GraceExtended;

export type CollectionCommand = AttemptPayment | RecordPaymentResult | DunningCommand;
export type CollectionEvent = PaymentAttempted | PaymentSucceeded | PaymentFailed | DunningEvent;
