import { seededRandom, type Random } from './random.js';
import type { Action, PlanSpec, Step } from './steps.js';
import { DEFAULT_TOKEN_MIX, drawTokens, type TokenMix } from './tokens.js';

export type { Action, PlanSpec, Step } from './steps.js';

/**
 * The scenario of a simulation, from a seed alone: the plans, and a sorted
 * list of (instant, subscription, action). The same seed and window give the
 * same scenario everywhere, so a run can be repeated and a test can compute
 * independently what it must bill.
 *
 * Instants fall on "slots": a subscription starts at the window start's time
 * of day (slot 0), and every later action of it at 6, 12 or 18 hours after
 * that time of day, never at the slot its periods currently start at. So no
 * action lands on a period boundary, whose period the clock's stop there has
 * already billed (the tests' independent computation stays simple), and the
 * clock has few distinct instants to stop at.
 *
 * Each subscription's customer gets a payment method from the token mix
 * (./tokens.ts), and some fix their card later (`attach_payment_method`, a
 * step of the subscription's number that acts on its customer).
 */

export const PLANS: readonly PlanSpec[] = [
  { key: 'starter', name: 'Starter', pricingModel: 'per_unit', amount: 1_500, currency: 'usd', interval: 'month', intervalCount: 1, trialDays: 0 },
  { key: 'team', name: 'Team', pricingModel: 'per_unit', amount: 2_900, currency: 'usd', interval: 'month', intervalCount: 1, trialDays: 14 },
  { key: 'flat', name: 'Flat', pricingModel: 'flat_rate', amount: 4_900, currency: 'usd', interval: 'month', intervalCount: 1, trialDays: 0 },
  { key: 'quarterly', name: 'Quarterly', pricingModel: 'per_unit', amount: 7_900, currency: 'usd', interval: 'month', intervalCount: 3, trialDays: 0 },
  { key: 'annual', name: 'Annual', pricingModel: 'per_unit', amount: 29_000, currency: 'usd', interval: 'year', intervalCount: 1, trialDays: 30 },
];


export type Scenario = Readonly<{
  from: string;
  to: string;
  seed: number;
  subscriptions: number;
  plans: readonly PlanSpec[];
  tokenMix: TokenMix;
  /** By subscription number: its customer's payment method from the start, null for none. */
  tokens: readonly (string | null)[];
  steps: readonly Step[];
}>;

/** Which kinds of change the mix may hold; all by default. */
export type ScenarioKinds = Readonly<{ changePlan?: boolean; changeQuantity?: boolean; pause?: boolean; cancel?: boolean }>;

export type ScenarioOptions = Readonly<{ from: string; to: string; subscriptions: number; seed: number; kinds?: ScenarioKinds; tokens?: TokenMix }>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ACTION_SLOTS = [6, 12, 18] as const;

type Tracked = {
  status: 'trialing' | 'active' | 'paused';
  trialEnd: number;
  plan: PlanSpec;
  quantity: number;
  /** Hours after the window's time of day at which this subscription's periods start. */
  anchorSlot: number;
};

/** A day of the window at the window start's time of day; a fifth of the time moved to the 29th–31st of its month. */
const startInstant = (rng: Random, fromMs: number, toMs: number): number => {
  const days = Math.max(1, Math.ceil((toMs - fromMs) / DAY));
  const at = fromMs + rng.int(0, days - 1) * DAY;
  if (rng.next() >= 0.2) return at;
  const date = new Date(at);
  const monthEnd = new Date(at);
  monthEnd.setUTCDate(rng.int(29, 31));
  const sameMonth = monthEnd.getUTCMonth() === date.getUTCMonth();
  return sameMonth && monthEnd.getTime() >= fromMs && monthEnd.getTime() < toMs ? monthEnd.getTime() : at;
};

const nextAction = (rng: Random, s: Tracked, kinds: Required<ScenarioKinds>, plans: readonly PlanSpec[]): Action | undefined => {
  const options: [() => Action, number][] = [];
  if (s.status === 'paused') {
    if (kinds.pause) options.push([() => ({ kind: 'resume' }), 80]);
    if (kinds.cancel) options.push([() => ({ kind: 'cancel', atPeriodEnd: false }), 20]);
  } else {
    if (kinds.changePlan) options.push([() => ({ kind: 'change_plan', plan: rng.pick(plans.filter((p) => p.key !== s.plan.key)).key }), 35]);
    if (kinds.changeQuantity && s.plan.pricingModel === 'per_unit') {
      options.push([() => ({ kind: 'change_quantity', quantity: rng.pick([1, 2, 3, 4, 5].filter((q) => q !== s.quantity)) }), 25]);
    }
    if (kinds.pause) options.push([() => ({ kind: 'pause' }), 15]);
    if (kinds.cancel) options.push([() => ({ kind: 'cancel', atPeriodEnd: false }), 12], [() => ({ kind: 'cancel', atPeriodEnd: true }), 13]);
  }
  return options.length === 0 ? undefined : rng.weighted(options)();
};

/** What the action does to what the generator tracks; false once the subscription takes no more actions. */
const track = (s: Tracked, action: Action, slot: number, plans: readonly PlanSpec[]): boolean => {
  switch (action.kind) {
    case 'change_plan': {
      const plan = plans.find((p) => p.key === action.plan)!;
      // Another interval starts a new period at the change, unless in a trial (whose end keeps anchoring).
      if (s.status !== 'trialing' && (plan.interval !== s.plan.interval || plan.intervalCount !== s.plan.intervalCount)) s.anchorSlot = slot;
      s.plan = plan;
      if (plan.pricingModel === 'flat_rate') s.quantity = 1;
      return true;
    }
    case 'change_quantity':
      s.quantity = action.quantity;
      return true;
    case 'pause':
      s.status = 'paused';
      return true;
    case 'resume':
      s.status = 'active';
      s.anchorSlot = slot;
      return true;
    default:
      return false;
  }
};

export const generateScenario = (options: ScenarioOptions): Scenario => {
  const rng = seededRandom(options.seed);
  const kinds = { changePlan: true, changeQuantity: true, pause: true, cancel: true, ...options.kinds };
  const fromMs = Date.parse(options.from);
  const toMs = Date.parse(options.to);
  const plans = PLANS;
  const steps: Step[] = [];
  for (let subscription = 0; subscription < options.subscriptions; subscription += 1) {
    const start = startInstant(rng, fromMs, toMs);
    const plan = rng.pick(plans);
    const quantity = plan.pricingModel === 'flat_rate' ? 1 : rng.int(1, 5);
    steps.push({ at: new Date(start).toISOString(), subscription, action: { kind: 'subscribe', plan: plan.key, quantity } });
    const s: Tracked = { status: plan.trialDays > 0 ? 'trialing' : 'active', trialEnd: start + plan.trialDays * DAY, plan, quantity, anchorSlot: 0 };
    let attempts = rng.weighted<number>([[0, 30], [1, 35], [2, 20], [3, 10], [4, 5]]);
    let day = Math.floor((start - fromMs) / DAY);
    for (let i = 0; i < attempts; i += 1) {
      day += s.status === 'paused' ? rng.int(5, 45) : rng.int(5, 100);
      const slot = rng.pick(ACTION_SLOTS.filter((h) => h !== s.anchorSlot));
      const at = fromMs + day * DAY + slot * HOUR;
      if (at >= toMs) break;
      if (s.status === 'trialing' && at >= s.trialEnd) s.status = 'active';
      const action = nextAction(rng, s, kinds, plans);
      if (!action) break;
      steps.push({ at: new Date(at).toISOString(), subscription, action });
      if (!track(s, action, slot, plans)) break;
      // A pause is mostly followed by a resume (or a cancellation), if the window leaves room.
      if (action.kind === 'pause') attempts = Math.max(attempts, i + 2);
    }
  }
  const tokenMix = options.tokens ?? DEFAULT_TOKEN_MIX;
  const { tokens, fixes } = drawTokens(options.seed, steps, plans, tokenMix, fromMs, toMs);
  steps.push(...fixes);
  steps.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.subscription - b.subscription);
  const [from, to] = [new Date(fromMs).toISOString(), new Date(toMs).toISOString()];
  return { from, to, seed: options.seed, subscriptions: options.subscriptions, plans, tokenMix, tokens, steps };
};

/** How many steps of each kind (cancellations split by when they take effect). */
export const countByKind = (steps: readonly Step[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const { action } of steps) {
    const name = action.kind === 'cancel' ? (action.atPeriodEnd ? 'cancel_at_period_end' : 'cancel_now') : action.kind;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
};
