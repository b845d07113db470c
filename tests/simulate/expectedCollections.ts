/**
 * What collections must do with a simulation's invoices, computed here from
 * the rules of issue 10 alone, without the gateway, the deciders or the
 * read models:
 *
 * - pm_ok succeeds; pm_declined is a hard decline (card_declined);
 *   pm_insufficient_funds a soft one (insufficient_funds); pm_flaky_N fails
 *   N times per invoice (processing_error) and then succeeds; a customer
 *   without a payment method fails at once, hard (no_payment_method);
 * - an invoice with a total is charged when it is finalised; after a soft
 *   failure it is retried 1, 3, 5 and 7 days after its first failure, with
 *   the card the customer has then; after a hard one, or the last retry,
 *   30 days of grace, then it is UNCOLLECTIBLE;
 * - a subscription goes past due on a failure, recovers when its last unpaid
 *   invoice is paid, and is canceled when the first grace ends.
 *
 * The clock stops at every retry and at `to`, so what falls due at `to` has
 * happened. At one instant, the billing run's first charges of period
 * invoices come before the retries, then grace ends, then the change
 * invoices of the steps taken there (./expected.ts: actions fall between
 * period starts).
 */
const DAY = 86_400_000;
export const RETRY_DAYS = [1, 3, 5, 7] as const;
export const GRACE_DAYS = 30;

const iso = (ms: number) => new Date(ms).toISOString();

/** Undefined: paid. `n` counts the attempts on this invoice with this token, from 1. */
export const decline = (token: string | null, n: number): { code: string; hard: boolean } | undefined => {
  if (token === null) return { code: 'no_payment_method', hard: true };
  if (token === 'pm_ok') return undefined;
  if (token === 'pm_declined') return { code: 'card_declined', hard: true };
  if (token === 'pm_insufficient_funds') return { code: 'insufficient_funds', hard: false };
  const flaky = /^pm_flaky_(\d+)$/.exec(token);
  if (flaky) return n <= Number(flaky[1]) ? { code: 'processing_error', hard: false } : undefined;
  throw new Error(`no rule for ${token}`);
};

export type Attempt = Readonly<{ at: string; method: string | null; failed: string | null }>;
export type Collected = Readonly<{
  attempts: readonly Attempt[];
  status: 'PAID' | 'OPEN' | 'UNCOLLECTIBLE';
  /** When it was paid or written off. */
  settledAt: string | null;
  graceEndsAt: string | null;
}>;

/** `total` is what the invoice bills; `due` what is left once the customer's credit paid its part: what is charged. */
export type InvoiceFacts = Readonly<{ invoiceId: string; subscriptionId: string; total: number; due: number; finalizedAt: string; cause: 'period' | 'change' }>;

/** One invoice's collection, given the card its customer has at each instant. */
export const collect = (invoice: InvoiceFacts, cardAt: (ms: number) => string | null, to: number): Collected => {
  const finalized = Date.parse(invoice.finalizedAt);
  if (invoice.due === 0) return { attempts: [], status: 'PAID', settledAt: invoice.finalizedAt, graceEndsAt: null };
  const attempts: Attempt[] = [];
  let first: number | undefined;
  for (let at = finalized; ; ) {
    const method = cardAt(at);
    const failure = decline(method, attempts.filter((a) => a.method === method).length + 1);
    attempts.push({ at: iso(at), method, failed: failure?.code ?? null });
    if (!failure) return { attempts, status: 'PAID', settledAt: iso(at), graceEndsAt: null };
    first ??= at;
    const retry = failure.hard ? undefined : RETRY_DAYS.map((d) => first! + d * DAY).find((t) => t > at);
    if (retry === undefined) {
      const grace = at + GRACE_DAYS * DAY;
      return grace <= to
        ? { attempts, status: 'UNCOLLECTIBLE', settledAt: iso(grace), graceEndsAt: iso(grace) }
        : { attempts, status: 'OPEN', settledAt: null, graceEndsAt: iso(grace) };
    }
    if (retry > to) return { attempts, status: 'OPEN', settledAt: null, graceEndsAt: null };
    at = retry;
  }
};

export type Dunning = Readonly<{ wentPastDue: boolean; recoveries: number; canceledAt: string | null; pastDueAtEnd: boolean }>;

/** A subscription's standing from its invoices' collections (a scenario without pauses and cancellations). */
export const dunningOf = (invoices: readonly Readonly<{ facts: InvoiceFacts; collected: Collected }>[]): Dunning => {
  // Phase within an instant: first charges of period invoices 0, retries 1, grace ends 2, change invoices' first charges 3.
  const moments: { at: string; phase: number; kind: 'fail' | 'paid' | 'grace'; invoiceId: string }[] = [];
  for (const { facts, collected } of invoices) {
    // Only a first attempt can fail first: an attempt that pays is the last.
    const first = collected.attempts[0];
    if (!first || first.failed === null) continue;
    moments.push({ at: first.at, phase: facts.cause === 'change' ? 3 : 0, kind: 'fail', invoiceId: facts.invoiceId });
    if (collected.status === 'PAID') moments.push({ at: collected.settledAt!, phase: 1, kind: 'paid', invoiceId: facts.invoiceId });
    if (collected.status === 'UNCOLLECTIBLE') moments.push({ at: collected.settledAt!, phase: 2, kind: 'grace', invoiceId: facts.invoiceId });
  }
  moments.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.phase - b.phase);
  const unpaid = new Set<string>();
  let wentPastDue = false;
  let recoveries = 0;
  for (const m of moments) {
    if (m.kind === 'fail') {
      unpaid.add(m.invoiceId);
      wentPastDue = true;
    } else if (m.kind === 'paid') {
      if (unpaid.delete(m.invoiceId) && unpaid.size === 0) recoveries += 1;
    } else {
      // Canceled: nothing later changes its standing.
      return { wentPastDue, recoveries, canceledAt: m.at, pastDueAtEnd: false };
    }
  }
  return { wentPastDue, recoveries, canceledAt: null, pastDueAtEnd: unpaid.size > 0 };
};

/** The notices each invoice's collection sends (reminders 7 and 1 days before grace ends). */
export const noticesOf = (collected: Collected, total: number, to: number): string[] => {
  if (total === 0) return [];
  const failed = collected.attempts.some((a) => a.failed !== null);
  const grace = collected.graceEndsAt === null ? undefined : Date.parse(collected.graceEndsAt);
  return [
    'invoice_finalized',
    ...(failed ? ['payment_failed_immediate'] : []),
    ...(collected.status === 'PAID' ? ['payment_succeeded'] : []),
    ...(grace !== undefined && grace - 7 * DAY <= to ? ['payment_failed_7day'] : []),
    ...(grace !== undefined && grace - DAY <= to ? ['payment_failed_1day'] : []),
  ];
};
