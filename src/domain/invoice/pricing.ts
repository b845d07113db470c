import { allocate, compareInstants, prorate, ValidationError } from '../shared/index.js';
import { percentOffUnits } from '../coupon/index.js';
import type { InvoiceLine, ItemLine } from './state.js';
import { taxOf, type AppliedTaxRate } from './tax.js';

/**
 * A coupon's discount as the billing engine hands it to one invoice: the
 * coupon's terms, and which of the invoice's items fall within its duration
 * (the engine decides that from the streams; the invoice, what it takes off).
 */
export type AppliedDiscount = Readonly<{
  couponId: string;
  redemptionId: string;
  /** Up to two decimals, above 0 and at most 100. */
  percentOff?: string;
  amountOff?: number;
  currency?: string;
  /** The item keys it discounts; only charges (plan charges and proration debits) are. */
  itemKeys: readonly string[];
}>;

const invalid = (message: string, field: string): never => {
  throw new ValidationError('invoice.invalid', message, { field });
};

/** Charges a coupon may discount: what the customer is billed for, not a credit. */
const DISCOUNTABLE = new Set<string>(['plan_charge', 'proration_debit']);
/** Lines taxed at their rate: the items, but the credit applied (a payment, not a sale). */
const TAXABLE = new Set<string>(['plan_charge', 'proration_debit', 'proration_credit', 'credit_to_invoice', 'credit_withheld']);

/** A percentage off as hundredths of a percent, refused as the invoice's. */
const percentUnits = (percentOff: string): number =>
  percentOffUnits(percentOff) ?? invalid(`percentOff is above 0 and at most 100, with two decimals at most: not ${percentOff}`, 'discounts');

const netOf = (line: ItemLine): number => line.amount + (line.discount ?? 0);

const spanOf = (lines: readonly InvoiceLine[]) => ({
  start: lines.map((l) => l.period.start).reduce((a, b) => (compareInstants(b, a) < 0 ? b : a)),
  end: lines.map((l) => l.period.end).reduce((a, b) => (compareInstants(b, a) > 0 ? b : a)),
});

/**
 * Coupons in the order given (a subscription's, then its customer's on what
 * is left): each computed once on the sum of the charges it covers (a percent
 * rounded half-even; an amount, at most that sum, and off a change's debits at
 * most what its credits gave back), then allocated back to them by largest remainder. No charge goes below 0. Answers the items with
 * their `discount` and one `discount` line per coupon that took something, and
 * one for what proration credits gave back of earlier discounts.
 */
export const applyDiscounts = (items: readonly ItemLine[], discounts: readonly AppliedDiscount[], currency: string): { items: ItemLine[]; lines: InvoiceLine[] } => {
  const priced = items.map((line) => ({ ...line }));
  const lines: InvoiceLine[] = [];
  const seen = new Set<string>();
  // What proration credits here give back of earlier discounts: all an amount off may take off the debits of the same change.
  let givenBack = priced.reduce((sum, l) => sum + (l.type === 'proration_credit' ? (l.discount ?? 0) : 0), 0);
  for (const d of discounts) {
    if (seen.has(d.redemptionId)) invalid(`the discount ${d.redemptionId} is given twice`, 'discounts');
    seen.add(d.redemptionId);
    if ((d.percentOff === undefined) === (d.amountOff === undefined)) invalid('a discount is a percent off or an amount off', 'discounts');
    if (d.amountOff !== undefined && (!Number.isSafeInteger(d.amountOff) || d.amountOff <= 0 || d.currency !== currency)) {
      invalid(`an amount off is a whole number above 0 in the invoice's currency (${currency})`, 'discounts');
    }
    const covered = priced.filter((l) => DISCOUNTABLE.has(l.type) && d.itemKeys.includes(l.itemKey) && netOf(l) > 0);
    const take = (of: typeof covered, off: number) => {
      if (off === 0) return 0;
      const shares = allocate(off, of.map(netOf));
      of.forEach((l, k) => (l.discount = (l.discount ?? 0) - shares[k]!));
      return off;
    };
    let off = 0;
    if (d.percentOff !== undefined) {
      off = take(covered, prorate(covered.reduce((sum, l) => sum + netOf(l), 0), percentUnits(d.percentOff), 10_000));
    } else {
      // An amount off is for a period: in full off its charges; off a change's debits, only what the change's credits gave back,
      // so that a change never takes it off twice.
      const charges = covered.filter((l) => l.type === 'plan_charge');
      const debits = covered.filter((l) => l.type === 'proration_debit');
      off = take(charges, Math.min(d.amountOff!, charges.reduce((sum, l) => sum + netOf(l), 0)));
      const again = take(debits, Math.min(d.amountOff! - off, givenBack, debits.reduce((sum, l) => sum + netOf(l), 0)));
      givenBack -= again;
      off += again;
    }
    if (off === 0) continue;
    const what = d.percentOff !== undefined ? `${d.percentOff}% off` : `${d.amountOff} ${currency} off`;
    lines.push({
      type: 'discount',
      itemKey: `discount:${d.redemptionId}`,
      description: `Coupon ${d.couponId} (${what})`,
      quantity: 1,
      unitAmount: -off,
      amount: -off,
      currency,
      period: spanOf(covered),
      couponId: d.couponId,
    });
  }
  const credits = priced.filter((l) => l.type === 'proration_credit' && (l.discount ?? 0) > 0);
  const returned = credits.reduce((sum, l) => sum + l.discount!, 0);
  if (returned > 0) {
    lines.push({
      type: 'discount',
      itemKey: 'discount:given_back',
      description: 'Discount of the credited time, given back with the credit',
      quantity: 1,
      unitAmount: returned,
      amount: returned,
      currency,
      period: spanOf(credits),
    });
  }
  return { items: priced, lines };
};

/**
 * One `tax` line per rate: tax computed once per rate on the sum of what its
 * lines bill after discounts, rounded half-even, and allocated back to them
 * by largest remainder (each line's `tax`). An exclusive rate's tax is added
 * to the total; an inclusive rate's is the part of the amounts that is tax.
 */
export const applyTax = (items: readonly ItemLine[], rates: readonly AppliedTaxRate[], currency: string): { items: ItemLine[]; lines: InvoiceLine[] } => {
  const byId = new Map(rates.map((r) => [r.taxRateId, r]));
  if (byId.size !== rates.length) invalid('each tax rate is given once', 'taxRates');
  items.forEach((l, i) => {
    if (l.taxRateId === undefined) return;
    if (!TAXABLE.has(l.type)) invalid(`lines[${i}]: a ${l.type} line is not taxed`, `lines[${i}].taxRateId`);
    if (!byId.has(l.taxRateId)) invalid(`lines[${i}]: no tax rate ${l.taxRateId} was given with the invoice`, `lines[${i}].taxRateId`);
  });
  const { perLine, perRate } = taxOf(
    items.map((l) => ({ amount: netOf(l), ...(l.taxRateId !== undefined && { taxRateId: l.taxRateId }) })),
    byId,
  );
  const taxed = items.map((l, i) => (l.taxRateId === undefined ? l : { ...l, tax: perLine[i]! }));
  const lines = perRate.map((r): InvoiceLine => {
    const rate = byId.get(r.taxRateId)!;
    const own = taxed.filter((l) => l.taxRateId === r.taxRateId);
    return {
      type: 'tax',
      itemKey: `tax:${r.taxRateId}`,
      description: `${rate.displayName} (${rate.jurisdiction}) ${rate.percentage}%${rate.inclusive ? ', included' : ''}`,
      quantity: 1,
      unitAmount: r.tax,
      amount: r.tax,
      currency,
      period: spanOf(own),
      taxRateId: r.taxRateId,
      inclusive: rate.inclusive,
    };
  });
  return { items: taxed, lines };
};
