import { compareInstants, periodContaining, periodN } from '../shared/index.js';
import type { SubscriptionEvent } from '../subscription/index.js';
import type { BillableItem, BillingEvent } from './items.js';
import { chargeOf, creditUnused, debitRest, label, unitPrice, type Running } from './proration.js';

/**
 * What a subscription should have been billed by an instant, from its stream
 * alone (Kill Bill's approach): the billing engine compares this with what is
 * already on invoices and bills only the difference, so a rerun, a crash, a
 * catch-up or a second instance all bill nothing twice.
 *
 * - Billing is in advance: a period's plan_charge (amount × quantity) falls
 *   due at the period's start. A trial bills nothing: the paid periods start at
 *   its end, which is the anchor.
 * - A change mid-period gives back the unused part of what was actually billed
 *   for that time (each charge in force, from its own amount and dates, never
 *   the current price) and charges the new price for the rest of the period,
 *   both by whole days. A second change in a period credits the first change's
 *   debit, never the plan charge again.
 * - A new interval (or a resume) starts a new period at once, billed at once.
 * - Pause, expiry and an immediate cancellation give back the unused part
 *   (unless the cancellation said `prorate: false`); nothing more is billed.
 * - A change at the very instant a period starts applies to that period once
 *   it is billed (its charge, then the change's credit and debit), whether or
 *   not a billing run got there before the change was recorded: what is owed
 *   never depends on when billing ran. A cancellation scheduled for a period's
 *   end bills nothing from then on, whenever the scheduler records it.
 */

const before = (a: string, b: string) => compareInstants(a, b) < 0;

/** The instant an event changes what is billed, or undefined for an event that changes no price and no period. */
export const effectiveAt = (event: SubscriptionEvent): string | undefined => {
  switch (event.type) {
    case 'SubscriptionCreated':
      return event.data.createdAt;
    case 'SubscriptionPaused':
      return event.data.pausedAt;
    case 'SubscriptionResumed':
      return event.data.resumedAt;
    case 'SubscriptionPlanChanged':
    case 'SubscriptionQuantityChanged':
      return event.data.changedAt;
    case 'SubscriptionCanceled':
      return event.data.canceledAt;
    case 'SubscriptionExpired':
      return event.data.expiredAt;
    case 'SubscriptionCancellationScheduled':
      return event.data.scheduledAt;
    case 'SubscriptionCancellationWithdrawn':
      return event.data.withdrawnAt;
    default:
      // Trial end, past due and recovery change no price and no period.
      return undefined;
  }
};

/** Bills every period of the schedule that starts before `limit` (or at it, when `inclusive`). */
const billPeriods = (r: Running, limit: string, inclusive: boolean): void => {
  while (r.schedule) {
    const period = periodN(r.schedule, r.next);
    if (inclusive ? before(limit, period.start) : !before(period.start, limit)) return;
    if (r.endsAt !== undefined && !before(period.start, r.endsAt)) return;
    // A schedule's first period billed with the event that started it may start where a charge of the schedule before did: its key names the event.
    const startedHere = r.next === r.first && r.startedBy !== undefined;
    const key = startedHere ? `charge:${period.start}:${r.startedBy}` : `charge:${period.start}`;
    const invoiceKey = startedHere ? `change:${r.startedBy}` : `period:${period.start}`;
    const item: BillableItem = {
      key,
      invoiceKey,
      type: 'plan_charge',
      description: `${label(r)}, ${period.start} – ${period.end}`,
      planId: r.price.planId,
      quantity: r.quantity,
      unitAmount: r.price.amount,
      amount: unitPrice(r),
      currency: r.price.currency,
      period: { start: period.start, end: period.end },
      dueAt: period.start,
    };
    r.items.push(item);
    r.period = { start: period.start, end: period.end };
    r.inForce = [{ ...chargeOf(item), from: period.start, to: period.end }];
    r.next += 1;
  }
};

/** A new schedule from `anchor`, billed from its period holding `from` (the anchor itself, unless the anchor was kept under a new interval). */
const startSchedule = (r: Running, anchor: string, startedBy: string | undefined, from: string = anchor): void => {
  r.schedule = { anchor, interval: r.price.interval, intervalCount: r.price.intervalCount };
  r.next = periodContaining(r.schedule, from)?.index ?? 0;
  r.first = r.next;
  r.startedBy = startedBy;
  r.period = undefined;
};

const apply = (r: Running, billing: BillingEvent, at: string): void => {
  const { eventId, event } = billing;
  const running = r.period !== undefined && before(at, r.period.end) && r.schedule !== undefined;
  switch (event.type) {
    case 'SubscriptionCreated':
      r.price = event.data.plan;
      r.quantity = event.data.quantity;
      startSchedule(r, event.data.billingAnchor, undefined);
      return;
    case 'SubscriptionPlanChanged':
    case 'SubscriptionQuantityChanged': {
      if (event.type === 'SubscriptionPlanChanged') r.price = event.data.plan;
      r.quantity = event.data.quantity;
      // A new anchor; or, in a running period, a new interval on the same anchor (a change at a period's very start): a new schedule.
      const newInterval = r.schedule !== undefined && (r.price.interval !== r.schedule.interval || r.price.intervalCount !== r.schedule.intervalCount);
      const reanchored =
        event.type === 'SubscriptionPlanChanged' && r.schedule !== undefined && (event.data.billingAnchor !== r.schedule.anchor || (running && newInterval));
      if (running) creditUnused(r, at, eventId);
      if (reanchored) startSchedule(r, event.data.billingAnchor, eventId, at);
      else if (running) debitRest(r, at, eventId);
      else if (r.schedule) r.schedule = { ...r.schedule, interval: r.price.interval, intervalCount: r.price.intervalCount };
      return;
    }
    case 'SubscriptionPaused':
      if (running) creditUnused(r, at, eventId);
      r.schedule = undefined;
      r.period = undefined;
      return;
    case 'SubscriptionResumed':
      startSchedule(r, event.data.billingAnchor, eventId);
      return;
    case 'SubscriptionCancellationScheduled':
      r.endsAt = event.data.cancelAt;
      return;
    case 'SubscriptionCancellationWithdrawn':
      r.endsAt = undefined;
      return;
    case 'SubscriptionCanceled':
    case 'SubscriptionExpired':
      if (running && (event.type === 'SubscriptionExpired' || event.data.prorate)) creditUnused(r, at, eventId);
      r.schedule = undefined;
      r.period = undefined;
      return;
    default:
      return;
  }
};

export type BillingAt = Readonly<{
  /** Every item that should have been billed by `until`, in the order they fell due. */
  items: BillableItem[];
  /** When the next item falls due if nothing changes: the next period's start, or an event recorded for later; none once nothing more can be billed. */
  nextDueAt: string | undefined;
}>;

/** What a subscription's stream says should have been billed by `until`, and when the next item falls due. */
export const billingAt = (events: readonly BillingEvent[], until: string): BillingAt => {
  const r: Running = {
    price: { planId: '', pricingModel: 'flat_rate', amount: 0, currency: '', interval: 'month', intervalCount: 1 },
    quantity: 0,
    schedule: undefined,
    next: 0,
    first: 0,
    startedBy: undefined,
    endsAt: undefined,
    period: undefined,
    inForce: [],
    items: [],
  };
  let later: string | undefined;
  for (const billing of events) {
    const at = effectiveAt(billing.event);
    if (at === undefined) continue;
    if (before(until, at)) {
      later = at;
      break;
    }
    // A period starting at this very instant is billed first, unless this is the cancellation that ends the schedule there.
    billPeriods(r, at, !(billing.event.type === 'SubscriptionCanceled' && billing.event.data.atPeriodEnd));
    apply(r, billing, at);
    // A resume or a new interval starts its first period at once, billed with the change.
    if (billing.event.type !== 'SubscriptionCreated') billPeriods(r, at, true);
  }
  billPeriods(r, until, true);
  const upcoming = r.schedule ? periodN(r.schedule, r.next).start : undefined;
  const nextPeriod = upcoming !== undefined && (r.endsAt === undefined || before(upcoming, r.endsAt)) ? upcoming : undefined;
  const nextDueAt = later === undefined || (nextPeriod !== undefined && before(nextPeriod, later)) ? nextPeriod : later;
  return { items: r.items, nextDueAt };
};

/** Every item a subscription's stream says should have been billed by `until`, in the order they fell due. */
export const billableItems = (events: readonly BillingEvent[], until: string): BillableItem[] => billingAt(events, until).items;
