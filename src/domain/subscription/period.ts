import { addDays, compareInstants, periodContaining, periodN, type Period } from '../shared/index.js';
import type { ExistingSubscription, PlanPrice } from './state.js';

type PeriodFields = { billingAnchor: string; currentPeriodStart: string; currentPeriodEnd: string };

const scheduleOf = (plan: PlanPrice, anchor: string) => ({ anchor, interval: plan.interval, intervalCount: plan.intervalCount });

/** Period 0 of a schedule anchored at `anchor`. */
export const firstPeriod = (plan: PlanPrice, anchor: string): PeriodFields => {
  const period = periodN(scheduleOf(plan, anchor), 0);
  return { billingAnchor: anchor, currentPeriodStart: period.start, currentPeriodEnd: period.end };
};

/** A trial runs from creation to `trialEnd`, which anchors the paid periods after it. */
export const trialPeriod = (now: string, trialDays: number): PeriodFields & { trialEnd: string } => {
  const trialEnd = addDays(now, trialDays);
  return { billingAnchor: trialEnd, currentPeriodStart: now, currentPeriodEnd: trialEnd, trialEnd };
};

/**
 * The period running at `now`, from the anchor, not from the period the last
 * event recorded: nothing has to step a subscription for its period to be
 * right. A trial's period is the trial; a paused subscription has none.
 */
export const periodAt = (state: ExistingSubscription, now: string): Pick<Period, 'start' | 'end'> | undefined => {
  if (state.status === 'PAUSED' || state.status === 'CANCELED' || state.status === 'EXPIRED') return undefined;
  if (state.status === 'TRIALING' && isBefore(now, state.currentPeriodEnd)) return { start: state.currentPeriodStart, end: state.currentPeriodEnd };
  return periodContaining(scheduleOf(state.plan, state.billingAnchor), now) ?? { start: state.currentPeriodStart, end: state.currentPeriodEnd };
};

/** The same price schedule: a plan change that keeps it keeps the anchor. */
export const sameInterval = (a: PlanPrice, b: PlanPrice): boolean => a.interval === b.interval && a.intervalCount === b.intervalCount;

export const isBefore = (a: string, b: string): boolean => compareInstants(a, b) < 0;
