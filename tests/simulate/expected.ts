import type { PlanSpec, Scenario, Step } from '../../src/root/simulate/plan.js';

/**
 * What a scenario must bill, computed here from the README's rules alone,
 * without the billing engine, the calendar or the money module:
 *
 * - periods in advance from an anchor, period k at anchor + k × months,
 *   on the anchor's day clamped to the month's last day, at its time of day;
 * - a trial bills nothing and its end is the anchor; a change in a trial
 *   only changes the price;
 * - a change mid-period gives back the unused whole days (UTC calendar
 *   dates) of each charge paying for the period, from that charge's own
 *   amount and dates, and charges the new price for the rest of the period;
 *   another interval, or a resume, starts a new period at once, billed on
 *   the change's invoice; a pause and an immediate cancellation give back
 *   the unused days; a cancellation at the period's end bills nothing more;
 * - a share is rounded once, half to even;
 * - an invoice whose items sum below zero totals 0 and its excess becomes the
 *   customer's credit, which later invoices spend first.
 *
 * Dunning is not modelled: a subscription canceled because its invoice went
 * unpaid is billed less. Run it on scenarios whose customers all pay (pm_ok),
 * or only on subscriptions that never went past due.
 */
export type ExpectedInvoice = { key: string; due: number; items: number[]; total: number; applied: number; granted: number };
export type ExpectedSubscription = { invoices: ExpectedInvoice[]; status: string };

const DAY = 86_400_000;

export const addMonths = (anchor: number, months: number): number => {
  const a = new Date(anchor);
  const m = a.getUTCMonth() + months;
  const year = a.getUTCFullYear() + Math.floor(m / 12);
  const month = ((m % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(a.getUTCDate(), lastDay);
  return Date.UTC(year, month, day, a.getUTCHours(), a.getUTCMinutes(), a.getUTCSeconds(), a.getUTCMilliseconds());
};

/** Calendar days in UTC from one instant's date to the other's. */
export const wholeDays = (from: number, to: number): number => Math.floor(to / DAY) - Math.floor(from / DAY);

/** amount × n / d, rounded half to even. */
export const share = (amount: number, n: number, d: number): number => {
  const num = BigInt(amount) * BigInt(n);
  const den = BigInt(d);
  let q = num / den;
  const twice = 2n * (num - q * den);
  if (twice > den || (twice === den && q % 2n === 1n)) q += 1n;
  return Number(q);
};

type Charge = { amount: number; from: number; to: number };

const monthsOf = (plan: PlanSpec) => (plan.interval === 'year' ? 12 : 1) * plan.intervalCount;

/** One subscription's steps (its subscribe first), billed up to and including `until`. */
const expectSubscription = (plans: readonly PlanSpec[], steps: readonly (Step & { index: number })[], until: number): ExpectedSubscription => {
  const planOf = (key: string) => plans.find((p) => p.key === key)!;
  const first = steps[0]!;
  if (first.action.kind !== 'subscribe') throw new Error('a subscription starts with subscribe');
  let plan = planOf(first.action.plan);
  let quantity = first.action.quantity;
  const createdAt = Date.parse(first.at);
  let trialEnd: number | undefined = plan.trialDays > 0 ? createdAt + plan.trialDays * DAY : undefined;
  let anchor: number | undefined = trialEnd ?? createdAt;
  let n = 0;
  let firstOn: string | undefined;
  let period: { start: number; end: number } | undefined;
  let inForce: Charge[] = [];
  let endsAt: number | undefined;
  let status: 'TRIALING' | 'ACTIVE' | 'PAUSED' | 'CANCELED' = trialEnd !== undefined ? 'TRIALING' : 'ACTIVE';
  const invoices = new Map<string, ExpectedInvoice>();
  const add = (key: string, due: number, amount: number) => {
    if (!invoices.has(key)) invoices.set(key, { key, due, items: [], total: 0, applied: 0, granted: 0 });
    invoices.get(key)!.items.push(amount);
  };
  const price = () => plan.amount * quantity;

  const billPeriods = (limit: number, inclusive: boolean) => {
    while (anchor !== undefined) {
      const start = addMonths(anchor, monthsOf(plan) * n);
      if (inclusive ? start > limit : start >= limit) return;
      if (endsAt !== undefined && start >= endsAt) return;
      const end = addMonths(anchor, monthsOf(plan) * (n + 1));
      add(n === 0 && firstOn !== undefined ? firstOn : `period:${start}`, start, price());
      period = { start, end };
      inForce = [{ amount: price(), from: start, to: end }];
      n += 1;
    }
  };
  const giveBack = (at: number, key: string) => {
    for (const c of inForce) {
      const unused = wholeDays(at, c.to);
      const paid = wholeDays(c.from, c.to);
      if (unused <= 0 || paid <= 0) continue;
      const amount = share(c.amount, Math.min(unused, paid), paid);
      if (amount !== 0) add(key, at, -amount);
    }
    inForce = [];
  };
  const newSchedule = (at: number, key: string) => {
    anchor = at;
    n = 0;
    firstOn = key;
    period = undefined;
  };

  for (const step of steps.slice(1)) {
    const at = Date.parse(step.at);
    const key = `change:${step.index}`;
    if (status === 'TRIALING' && trialEnd !== undefined && at >= trialEnd) status = 'ACTIVE';
    billPeriods(at, false);
    const running = period !== undefined && at < period.end;
    const { action } = step;
    switch (action.kind) {
      case 'change_plan':
      case 'change_quantity': {
        const before = monthsOf(plan);
        if (action.kind === 'change_plan') {
          plan = planOf(action.plan);
          if (plan.pricingModel === 'flat_rate') quantity = 1;
        } else quantity = action.quantity;
        if (status === 'TRIALING') break;
        if (running) giveBack(at, key);
        if (monthsOf(plan) !== before) newSchedule(at, key);
        else if (running) {
          const amount = share(price(), Math.min(wholeDays(at, period!.end), wholeDays(period!.start, period!.end)), wholeDays(period!.start, period!.end));
          add(key, at, amount);
          inForce.push({ amount, from: at, to: period!.end });
        }
        break;
      }
      case 'pause':
        if (running) giveBack(at, key);
        anchor = undefined;
        period = undefined;
        status = 'PAUSED';
        break;
      case 'resume':
        newSchedule(at, key);
        status = 'ACTIVE';
        trialEnd = undefined;
        break;
      case 'cancel':
        if (action.atPeriodEnd) {
          endsAt = status === 'TRIALING' ? trialEnd : period!.end;
          break;
        }
        if (running) giveBack(at, key);
        anchor = undefined;
        endsAt = at;
        break;
      case 'subscribe':
        throw new Error('one subscribe per subscription');
    }
    billPeriods(at, true);
  }
  billPeriods(until, true);
  if (status === 'TRIALING' && trialEnd !== undefined && trialEnd <= until) status = 'ACTIVE';
  if (endsAt !== undefined && endsAt <= until) status = 'CANCELED';

  // Invoices in the order they fell due (their creation order), spending and granting credit.
  let credit = 0;
  const ordered = [...invoices.values()].sort((a, b) => a.due - b.due);
  for (const invoice of ordered) {
    const sum = invoice.items.reduce((a, b) => a + b, 0);
    if (sum < 0) {
      invoice.granted = -sum;
      credit += -sum;
    } else {
      invoice.applied = Math.min(credit, sum);
      credit -= invoice.applied;
      // What it bills; the credit applied pays part of it.
      invoice.total = sum;
    }
  }
  return { invoices: ordered, status };
};

/** Per subscription number, what it must have been billed by the scenario's end. */
export const expectedBilling = (scenario: Scenario): ExpectedSubscription[] => {
  const indexed = scenario.steps.map((step, index) => ({ ...step, index }));
  return Array.from({ length: scenario.subscriptions }, (_, i) =>
    expectSubscription(
      scenario.plans,
      // A customer's payment method changes nothing it is billed.
      indexed.filter((s) => s.subscription === i && s.action.kind !== 'attach_payment_method'),
      Date.parse(scenario.to),
    ),
  );
};
