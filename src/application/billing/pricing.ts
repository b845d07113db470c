import { coveredKeys, discountSpans } from '../../domain/billing/index.js';
import type { CustomerState } from '../../domain/customer/index.js';
import type { AppliedDiscount, AppliedTaxRate, InvoiceState, ItemLine } from '../../domain/invoice/index.js';
import { planDecider, planStreamName } from '../../domain/plan/index.js';
import { prorate } from '../../domain/shared/index.js';
import { taxRateDecider, taxRateStreamName } from '../../domain/taxRate/index.js';
import { foldStream, type EventStore, type RecordedEvent } from '../../eventstore/index.js';
import type { CreditedCharge, OwedBySubscription, OwedInvoice } from './owedInvoices.js';

/** Plans' rates and rates' terms, each read once per billing run. A rate never changes once created; a plan's rate may, so the cache lives as long as the run. */
export type TaxLookup = Readonly<{ planRate: (planId: string) => Promise<string | undefined>; rate: (taxRateId: string) => Promise<AppliedTaxRate | undefined> }>;

export const taxLookup = (store: EventStore): TaxLookup => {
  const plans = new Map<string, Promise<string | undefined>>();
  const rates = new Map<string, Promise<AppliedTaxRate | undefined>>();
  const once = <T>(cache: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> => {
    if (!cache.has(key)) cache.set(key, read());
    return cache.get(key)!;
  };
  return {
    planRate: (planId) =>
      once(plans, planId, async () => {
        const { state } = await foldStream(store, planStreamName(planId), planDecider);
        return state.status === 'none' ? undefined : state.taxRateId;
      }),
    // A rate deactivated since it was attached still taxes what it was attached to, as Stripe's does; it can no longer be attached.
    rate: (taxRateId) =>
      once(rates, taxRateId, async () => {
        const { state } = await foldStream(store, taxRateStreamName(taxRateId), taxRateDecider);
        if (state.status === 'NONE') return undefined;
        const { displayName, jurisdiction, percentage, inclusive } = state;
        return { taxRateId, displayName, jurisdiction, percentage, inclusive };
      }),
  };
};

/** An owed invoice as it will be billed: its lines with their rates, its credits after discounts, its coupons and its rates' terms. */
export type PricedOwed = Readonly<{ owed: OwedInvoice; lines: ItemLine[]; discounts: AppliedDiscount[]; taxRates: AppliedTaxRate[] }>;

type Customer = Readonly<{ recorded: readonly RecordedEvent[]; state: CustomerState }>;

/**
 * The facts, from other streams, that price an owed invoice:
 * - each charge is taxed at the customer's rate, or else its plan's;
 * - a proration credit carries the rate of the charge it credits, and gives
 *   back the same share of that charge's discount: it credits what was
 *   billed after the discount, not before (read from the charge's invoice);
 * - the subscription's coupon, then the customer's, cover the items due
 *   within their durations (src/domain/billing/discounts.ts).
 */
export const priceOwed = async (
  owed: OwedInvoice,
  subscription: OwedBySubscription,
  customer: Customer,
  sourceOf: (invoiceId: string) => Promise<InvoiceState | undefined>,
  taxes: TaxLookup,
): Promise<PricedOwed> => {
  const customerRate = customer.state.status === 'registered' ? customer.state.taxRateId : undefined;
  const credits: CreditedCharge[] = [];
  const lines: ItemLine[] = [];
  for (const [k, line] of owed.lines.entries()) {
    const item = owed.items[k]!;
    const credit = owed.credits.find((c) => c.creditKey === line.itemKey);
    if (line.type !== 'proration_credit' || credit === undefined) {
      const taxRateId = customerRate ?? (await taxes.planRate(item.planId));
      lines.push(taxRateId === undefined ? line : { ...line, taxRateId });
      continue;
    }
    const source = await sourceOf(credit.invoiceId);
    const charge = source?.status === 'NONE' ? undefined : source?.lines.find((l) => l.itemKey === credit.itemKey);
    // Nothing of a voided invoice comes back (creditTransfers withholds it all), its discount neither.
    const givesBack = charge && source?.status !== 'VOID' && (charge.discount ?? 0) < 0 && charge.amount > 0;
    const discounted = givesBack ? prorate(-charge.discount!, credit.amount, charge.amount) : 0;
    const taxRateId = charge ? charge.taxRateId : (customerRate ?? (await taxes.planRate(item.planId)));
    lines.push({ ...line, ...(taxRateId !== undefined && { taxRateId }), ...(discounted > 0 && { discount: discounted }) });
    credits.push({ ...credit, amount: credit.amount - discounted, ...(taxRateId !== undefined && { taxRateId }) });
  }

  const spans = [...subscription.discounts, ...discountSpans(customer.recorded, 'CustomerDiscountApplied', 'CustomerDiscountRemoved')];
  const discounts = new Map<string, AppliedDiscount>();
  for (const [k, span] of spans.entries()) {
    const { couponId, redemptionId, percentOff, amountOff, currency } = span.discount;
    // The same coupon on the subscription and on its customer discounts an invoice once: the subscription's.
    if (k >= subscription.discounts.length && [...discounts.values()].some((d) => d.couponId === couponId && d.redemptionId !== redemptionId)) continue;
    // An amount off in another currency discounts nothing here.
    if (amountOff !== undefined && currency !== owed.currency) continue;
    const keys = coveredKeys(span, owed.items, subscription.charges);
    if (keys.length === 0) continue;
    const earlier = discounts.get(redemptionId);
    discounts.set(redemptionId, {
      couponId,
      redemptionId,
      ...(percentOff !== undefined && { percentOff }),
      ...(amountOff !== undefined && { amountOff, currency }),
      itemKeys: [...(earlier?.itemKeys ?? []), ...keys],
    });
  }

  const rateIds = [...new Set(lines.flatMap((l) => (l.taxRateId === undefined ? [] : [l.taxRateId])))];
  const taxRates: AppliedTaxRate[] = [];
  for (const id of rateIds) {
    const rate = await taxes.rate(id);
    if (rate) taxRates.push(rate);
  }
  // A line whose rate no longer exists (never: rates are not deleted) is billed untaxed rather than not at all.
  const known = new Set(taxRates.map((r) => r.taxRateId));
  const taxed = lines.map((l) => (l.taxRateId === undefined || known.has(l.taxRateId) ? l : { ...l, taxRateId: undefined }));
  return { owed: { ...owed, credits }, lines: taxed.map(({ taxRateId, ...l }) => (taxRateId === undefined ? l : { ...l, taxRateId })), discounts: [...discounts.values()], taxRates };
};
