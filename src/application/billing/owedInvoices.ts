import { billingAt, byInvoice, discountSpans, type BillableItem, type BillingEvent, type DiscountSpan } from '../../domain/billing/index.js';
import type { InvoiceCause, ItemLine } from '../../domain/invoice/index.js';
import { compareInstants, money, sumMoney } from '../../domain/shared/index.js';
import type { SubscriptionEvent } from '../../domain/subscription/index.js';
import type { RecordedEvent } from '../../eventstore/index.js';
import { invoiceIdFor } from '../invoice/index.js';

/** One invoice the engine finds owed: its deterministic id, why, and its item lines. */
export type OwedInvoice = Readonly<{
  invoiceId: string;
  cause: InvoiceCause;
  currency: string;
  lines: readonly ItemLine[];
  /** The items behind the lines, in the same order: their plans and when each fell due. */
  items: readonly BillableItem[];
  /** The item lines' sum, before any credit. */
  due: number;
  /** From the first item's start to the last item's end: what a credit applied to it covers. */
  period: Readonly<{ start: string; end: string }>;
  /** Its proration credits, each with the invoice that billed the time it gives back: unpaid, that invoice takes the credit first. */
  credits: readonly CreditedCharge[];
}>;

/**
 * A proration credit (`amount` > 0, given back) of a charge billed on
 * `invoiceId` under `itemKey`; once priced (pricing.ts), `amount` is after the
 * charge's discount and `taxRateId` is the charge's rate.
 */
export type CreditedCharge = Readonly<{
  creditKey: string;
  invoiceId: string;
  itemKey: string;
  amount: number;
  period: Readonly<{ start: string; end: string }>;
  taxRateId?: string;
}>;

export type OwedBySubscription = Readonly<{
  customerId: string;
  invoices: readonly OwedInvoice[];
  /** When the next item falls due; none once nothing more can be billed. */
  nextDueAt: string | undefined;
  /** The revision of the stream read. */
  revision: bigint;
  /** Every plan charge billed by then, in the order they fell due: the periods a coupon's duration counts. */
  charges: readonly BillableItem[];
  /** The subscription's own coupons, applied and removed. */
  discounts: readonly DiscountSpan[];
}>;

const causeOf = (invoiceKey: string): InvoiceCause => {
  const [kind, ...rest] = invoiceKey.split(':');
  return kind === 'period' ? { kind: 'period', periodStart: rest.join(':') } : { kind: 'change', eventId: rest.join(':') };
};

const lineOf = (item: BillableItem): ItemLine => ({
  type: item.type,
  itemKey: item.key,
  description: item.description,
  quantity: item.quantity,
  unitAmount: item.unitAmount,
  amount: item.amount,
  currency: item.currency,
  period: item.period,
});

/**
 * What a subscription's stream says should have been invoiced by `until`
 * (src/domain/billing), one entry per invoice; undefined for a stream with no
 * subscription in it. Whether each invoice exists yet is the caller's to read.
 */
export const owedInvoices = (subscriptionId: string, recorded: readonly RecordedEvent[], until: Date): OwedBySubscription | undefined => {
  const created = recorded.find((r) => r.type === 'SubscriptionCreated');
  if (!created) return undefined;
  const events: BillingEvent[] = recorded.map((r) => ({ eventId: r.eventId, event: { type: r.type, data: r.data } as SubscriptionEvent }));
  const { items, nextDueAt } = billingAt(events, until.toISOString());
  const invoiceKeyOf = new Map(items.map((i) => [i.key, i.invoiceKey]));
  const creditsOf = (due: readonly BillableItem[]): CreditedCharge[] =>
    due.flatMap((i) => {
      const source = i.credits === undefined ? undefined : invoiceKeyOf.get(i.credits);
      if (i.type !== 'proration_credit' || source === undefined) return [];
      return [{ creditKey: i.key, invoiceId: invoiceIdFor(subscriptionId, source), itemKey: i.credits!, amount: -i.amount, period: i.period }];
    });
  const invoices = [...byInvoice(items)].map(([invoiceKey, due]): OwedInvoice => {
    const currency = due[0]!.currency;
    const lines = due.map(lineOf);
    // Every item of an invoice falls due at its start; a credit applied covers them all.
    const end = due.map((i) => i.period.end).reduce((a, b) => (compareInstants(a, b) >= 0 ? a : b));
    return {
      invoiceId: invoiceIdFor(subscriptionId, invoiceKey),
      cause: causeOf(invoiceKey),
      currency,
      lines,
      items: due,
      due: sumMoney(lines.map((l) => money(l.amount, currency)), currency).amount,
      period: { start: due[0]!.period.start, end },
      credits: creditsOf(due),
    };
  });
  return {
    customerId: (created.data as { customerId: string }).customerId,
    invoices,
    nextDueAt,
    revision: recorded.at(-1)!.revision,
    charges: items.filter((i) => i.type === 'plan_charge'),
    discounts: discountSpans(recorded, 'SubscriptionDiscountApplied', 'SubscriptionDiscountRemoved'),
  };
};

/** The line recording the customer's credit applied to an invoice. */
export const creditAppliedLine = (invoice: OwedInvoice, applied: number): ItemLine => ({
  type: 'credit_applied',
  itemKey: `credit_applied:${invoice.invoiceId}`,
  description: 'Credit applied from the customer balance',
  quantity: 1,
  unitAmount: -applied,
  amount: -applied,
  currency: invoice.currency,
  period: invoice.period,
});
