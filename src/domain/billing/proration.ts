import { daysBetween, prorate, type BillingSchedule } from '../shared/index.js';
import type { PlanPrice } from '../subscription/index.js';
import type { BillableItem } from './items.js';

/**
 * Proration, by whole days: a change mid-period gives back the unused part of
 * what was actually billed for that time (each charge in force, from its own
 * amount and dates, never the current price: Kill Bill's repair, Stripe's
 * flexible mode) and charges the new price for the rest of the period. Each
 * line is `amount × days ÷ days in its period`, in exact rational arithmetic,
 * rounded once, half-even (`prorate`, in domain/shared/money.ts). So a second
 * change in one period credits the first change's debit, never more than was
 * billed. owed.ts applies these at each change of a subscription's stream.
 */

/** A billed item that pays for time: what a later change gives back the unused part of. */
export type Charge = Readonly<{
  key: string;
  description: string;
  planId: string;
  quantity: number;
  unitAmount: number;
  amount: number;
  from: string;
  to: string;
}>;

/** What the fold over a subscription's stream keeps while it works out what is owed. */
export type Running = {
  price: PlanPrice;
  quantity: number;
  /** Undefined while nothing is billed (paused, ended, not yet created). */
  schedule: BillingSchedule | undefined;
  /** The next period of `schedule` to bill, and the event that started the schedule (its first period is that event's). */
  next: number;
  /** The schedule's first period to bill: its first period is billed with the event that started it. */
  first: number;
  startedBy: string | undefined;
  /** A cancellation scheduled at a period's end: no period starts from then on. */
  endsAt: string | undefined;
  /** The current period, once billed, and the charges paying for its time. */
  period: Readonly<{ start: string; end: string }> | undefined;
  inForce: Charge[];
  items: BillableItem[];
};

export const chargeOf = ({ key, description, planId, quantity, unitAmount, amount }: BillableItem) => ({
  key,
  description,
  planId,
  quantity,
  unitAmount,
  amount,
});

export const unitPrice = (r: Running) => r.price.amount * r.quantity;
export const label = (r: Running) => `${r.price.planId} × ${r.quantity}`;

/** Gives back the unused part, from `at`, of every charge paying for the current period. */
export const creditUnused = (r: Running, at: string, eventId: string): void => {
  for (const charge of r.inForce) {
    const unused = daysBetween(at, charge.to);
    const paidFor = daysBetween(charge.from, charge.to);
    if (unused <= 0 || paidFor <= 0) continue;
    const amount = prorate(charge.amount, Math.min(unused, paidFor), paidFor);
    if (amount === 0) continue;
    r.items.push({
      key: `credit:${eventId}:${charge.key}`,
      invoiceKey: `change:${eventId}`,
      type: 'proration_credit',
      description: `Unused time on ${charge.description} from ${at}`,
      planId: charge.planId,
      quantity: charge.quantity,
      unitAmount: charge.unitAmount,
      amount: -amount,
      currency: r.price.currency,
      period: { start: at, end: charge.to },
      dueAt: at,
      credits: charge.key,
    });
  }
  r.inForce = [];
};

/** Charges the new price for the rest of the current period. */
export const debitRest = (r: Running, at: string, eventId: string): void => {
  if (!r.period) return;
  const rest = daysBetween(at, r.period.end);
  const whole = daysBetween(r.period.start, r.period.end);
  if (rest <= 0 || whole <= 0) return;
  const amount = prorate(unitPrice(r), Math.min(rest, whole), whole);
  const item: BillableItem = {
    key: `debit:${eventId}`,
    invoiceKey: `change:${eventId}`,
    type: 'proration_debit',
    description: `Remaining time on ${label(r)} from ${at}`,
    planId: r.price.planId,
    quantity: r.quantity,
    unitAmount: r.price.amount,
    amount,
    currency: r.price.currency,
    period: { start: at, end: r.period.end },
    dueAt: at,
  };
  r.items.push(item);
  r.inForce.push({ ...chargeOf(item), from: at, to: r.period.end });
};
