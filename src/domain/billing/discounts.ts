import { discountOf, type Discount } from '../customer/index.js';
import { compareInstants } from '../shared/index.js';
import type { BillableItem } from './items.js';

/**
 * Which billed items a coupon's discount covers, decided from the streams
 * alone, so that the same history always discounts the same items, whenever
 * billing runs:
 * - from the instant the discount was applied to its target (a subscription,
 *   or a customer and so each of its subscriptions) until it was removed, by
 *   when each item falls due;
 * - `forever`: all of those; `once`: those due before the end of the first
 *   period whose charge falls due once it was applied; `repeating`: before the
 *   end of the N-th such period. A change in one of those periods (a proration
 *   debit) is covered as its period is. The same coupon removed and applied
 *   again counts its periods from when it was first applied: removing it never
 *   starts it over.
 */
export type DiscountSpan = Readonly<{
  discount: Discount;
  appliedAt: string;
  removedAt?: string;
  /** When its redemption was first applied to the target: a coupon removed and applied again goes on counting its periods from there. */
  firstAppliedAt: string;
}>;

type Recorded = Readonly<{ type: string; data: unknown }>;

/** The spans of a target's discounts, from its stream's applied and removed events, in order. */
export const discountSpans = (recorded: readonly Recorded[], appliedType: string, removedType: string): DiscountSpan[] => {
  const spans: DiscountSpan[] = [];
  const first = new Map<string, string>();
  let open: { discount: Discount; appliedAt: string; firstAppliedAt: string } | undefined;
  for (const r of recorded) {
    if (r.type === appliedType) {
      const { appliedAt, redemptionId } = r.data as Discount & { appliedAt: string };
      const discount = discountOf(r.data as Discount);
      if (!first.has(redemptionId)) first.set(redemptionId, appliedAt);
      open = { discount, appliedAt, firstAppliedAt: first.get(redemptionId)! };
    } else if (r.type === removedType && open) {
      spans.push({ ...open, removedAt: (r.data as { removedAt: string }).removedAt });
      open = undefined;
    }
  }
  return open ? [...spans, open] : spans;
};

const before = (a: string, b: string) => compareInstants(a, b) < 0;

/** The instant a span stops covering items: its removal, or the end of its last period; undefined while open-ended. */
const endOf = (span: DiscountSpan, charges: readonly BillableItem[]): string | undefined => {
  const periods = span.discount.duration === 'forever' ? undefined : span.discount.duration === 'once' ? 1 : (span.discount.durationInPeriods ?? 1);
  const last = periods === undefined ? undefined : charges.filter((c) => !before(c.dueAt, span.firstAppliedAt))[periods - 1]?.period.end;
  if (last === undefined) return span.removedAt;
  return span.removedAt === undefined || before(last, span.removedAt) ? last : span.removedAt;
};

/**
 * The keys of `items` a span covers. `charges` are all the plan charges of
 * the subscription billed so far, in the order they fell due: they give its periods.
 */
export const coveredKeys = (span: DiscountSpan, items: readonly BillableItem[], charges: readonly BillableItem[]): string[] => {
  const end = endOf(span, charges);
  return items.filter((i) => !before(i.dueAt, span.appliedAt) && (end === undefined || before(i.dueAt, end))).map((i) => i.key);
};
