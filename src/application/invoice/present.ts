import { amountDueOf, type Collection, type InvoiceFacts, type InvoiceLine, type PaymentRecord } from '../../domain/invoice/index.js';
import { optional, type Stamped } from '../shared/index.js';

export type DunningFacts = Readonly<{ attempts: number; nextRetryAt?: string; graceEndsAt?: string; stoppedAt?: string; lastFailureCode: string }>;

type InvoiceLike = Stamped &
  InvoiceFacts &
  Readonly<{ status: string; number?: string; finalizedAt?: string; voidedAt?: string; paidAt?: string; markedUncollectibleAt?: string }> &
  /** A folded stream has its collection and what was paid; a read-model row its dunning, null when no payment has failed, and its amounts. */
  (Readonly<{ collection?: Collection; paid: number }> | Readonly<{ dunning: DunningFacts | null; amountPaid: number; amountDue: number }>);

/** What was paid and what is due: the read model keeps both; a stream's state is folded to them. */
const amountsOf = (s: InvoiceLike) =>
  'dunning' in s ? { amountPaid: s.amountPaid, amountDue: s.amountDue } : { amountPaid: s.paid, amountDue: amountDueOf(s) };

const failedCode = (p: PaymentRecord): string | undefined => (p.result?.outcome === 'failed' ? p.result.code : undefined);

/** What the read model keeps of a collection; none until a payment has failed. */
const dunningOfCollection = (c: Collection | undefined): DunningFacts | null => {
  const lastFailureCode = c?.payments.map(failedCode).findLast((code) => code !== undefined);
  if (!c || lastFailureCode === undefined) return null;
  const { nextRetryAt, graceEndsAt, stoppedAt } = c;
  return { attempts: c.payments.length, nextRetryAt, graceEndsAt, stoppedAt, lastFailureCode };
};

/**
 * Dunning as it stands: a retry only while OPEN, grace while OPEN and on an
 * invoice written off (when it ended), a stop until paid. The folded stream
 * leaves these in its collection after the invoice moved on; the read model
 * clears them as it moves: the same rules make both say the same.
 */
const presentDunning = (status: string, d: DunningFacts | null) =>
  d && {
    attempts: d.attempts,
    nextRetryAt: status === 'OPEN' ? optional(d.nextRetryAt) : null,
    graceEndsAt: status === 'OPEN' || status === 'UNCOLLECTIBLE' ? optional(d.graceEndsAt) : null,
    stoppedAt: status === 'PAID' ? null : optional(d.stoppedAt),
    lastFailureCode: d.lastFailureCode,
  };

const presentPayment = (p: PaymentRecord) => {
  const failed = p.result?.outcome === 'failed' ? p.result : undefined;
  return {
    attempt: p.attempt,
    paymentMethod: p.paymentMethod,
    status: !p.result ? 'PENDING' : failed ? 'FAILED' : 'SUCCEEDED',
    failureCode: failed?.code ?? null,
    hard: failed?.hard ?? null,
    chargeId: p.result?.chargeId ?? null,
    attemptedAt: p.attemptedAt,
    settledAt: p.result?.at ?? null,
  };
};

/** Field by field, so a line from the stream and one from the read model come out alike. */
const presentLine = (l: InvoiceLine) => ({
  type: l.type,
  itemKey: l.itemKey,
  description: l.description,
  quantity: l.quantity,
  unitAmount: l.unitAmount,
  amount: l.amount,
  currency: l.currency,
  period: { start: l.period.start, end: l.period.end },
  ...(l.taxRateId !== undefined && { taxRateId: l.taxRateId }),
  ...(l.discount !== undefined && { discount: l.discount }),
  ...(l.tax !== undefined && { tax: l.tax }),
  ...(l.inclusive !== undefined && { inclusive: l.inclusive }),
  ...(l.couponId !== undefined && { couponId: l.couponId }),
});

/**
 * Amounts in minor units; a draft has no number, and each status instant is
 * null until the invoice reached it. `payments` (each attempt) only from the
 * stream: a list, from the read model, leaves them out.
 */
export const presentInvoice = (s: InvoiceLike, revision: bigint) => ({
  invoiceId: s.invoiceId,
  number: optional(s.number),
  customerId: s.customerId,
  subscriptionId: s.subscriptionId,
  status: s.status,
  currency: s.currency,
  subtotal: s.subtotal,
  discount: s.discount ?? 0,
  tax: s.tax,
  total: s.total,
  creditApplied: s.creditApplied,
  ...amountsOf(s),
  cause: s.cause.kind === 'period' ? { kind: s.cause.kind, periodStart: s.cause.periodStart } : { kind: s.cause.kind, eventId: s.cause.eventId },
  lines: s.lines.map(presentLine),
  revision: revision.toString(),
  createdAt: s.createdAt,
  finalizedAt: optional(s.finalizedAt),
  voidedAt: optional(s.voidedAt),
  paidAt: optional(s.paidAt),
  markedUncollectibleAt: optional(s.markedUncollectibleAt),
  dunning: presentDunning(s.status, 'dunning' in s ? s.dunning : dunningOfCollection(s.collection)),
  ...(!('dunning' in s) && { payments: (s.collection?.payments ?? []).map(presentPayment) }),
  updatedAt: s.updatedAt,
});
