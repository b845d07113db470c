import { ValidationError } from '../../domain/shared/index.js';
import { flakyFailures } from '../../application/payment/index.js';
import type { PlanSpec, Step } from './steps.js';
import { seededRandom } from './random.js';

/**
 * The payment methods of the simulated customers: a weighted mix of the
 * simulated gateway's tokens, drawn per customer from the seed. `none` is a
 * customer without a payment method (its charges fail at once, as hard
 * declines).
 *
 * Half of the customers on `pm_insufficient_funds` fix their card: they
 * attach `pm_ok` 0–6 days after their first invoice falls due (the
 * subscription's start, or its trial's end), so the next dunning retry
 * (days 1, 3, 5, 7 by default) pays it and the subscription recovers.
 */
export type TokenMix = readonly (readonly [token: string, weight: number])[];

export const NO_TOKEN = 'none';

export const DEFAULT_TOKEN_MIX: TokenMix = [
  ['pm_ok', 70],
  ['pm_flaky_1', 8],
  ['pm_flaky_2', 5],
  ['pm_insufficient_funds', 7],
  ['pm_declined', 5],
  [NO_TOKEN, 5],
];

/** The share of pm_insufficient_funds customers who attach pm_ok soon after their first failure. */
export const FIX_SHARE = 0.5;
/** A fix lands this many whole days after the first invoice falls due, at most: before the default schedule's last retry (day 7). */
const FIX_MAX_DAYS = 6;
/**
 * Hours after the window's time of day at which a fix lands: no subscription
 * step or period starts there (slots 0, 6, 12, 18), so no charge runs at the
 * same instant and which card a charge used never depends on ordering.
 */
const FIX_SLOT_HOURS = 3;
const MAX_WEIGHT = 1_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const KNOWN = new Set(['pm_ok', 'pm_declined', 'pm_insufficient_funds', NO_TOKEN]);
const isKnown = (token: string) => KNOWN.has(token) || flakyFailures(token) !== undefined;

export class TokenMixError extends ValidationError {
  constructor(message: string) {
    super('simulate.invalid_token_mix', message);
  }
}

/**
 * `pm_ok` (everyone), or a weighted list `pm_ok=80,pm_declined=10,none=10`
 * (a weight left out is 1). Tokens: pm_ok, pm_declined,
 * pm_insufficient_funds, pm_flaky_N (N ≥ 1), none; weights 1–1000; each once.
 */
export const parseTokenMix = (text: string): TokenMix => {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new TokenMixError('an empty item: write token[=weight],… such as pm_ok=90,pm_declined=10');
  const mix: [string, number][] = [];
  for (const item of items) {
    const [token = '', weightText, ...extra] = item.split('=');
    if (extra.length > 0) throw new TokenMixError(`${item}: one = at most`);
    if (!isKnown(token)) throw new TokenMixError(`${token}: not a token the simulated gateway knows (pm_ok, pm_declined, pm_insufficient_funds, pm_flaky_N, none)`);
    const weight = weightText === undefined ? 1 : /^\d+$/.test(weightText) ? Number(weightText) : Number.NaN;
    if (!(weight >= 1 && weight <= MAX_WEIGHT)) throw new TokenMixError(`${item}: the weight is a whole number from 1 to ${MAX_WEIGHT}`);
    if (mix.some(([t]) => t === token)) throw new TokenMixError(`${token}: named twice`);
    mix.push([token, weight]);
  }
  return mix;
};

/** As --tokens takes it. */
export const formatTokenMix = (mix: TokenMix): string => mix.map(([token, w]) => `${token}=${w}`).join(',');

export type DrawnTokens = Readonly<{
  /** By subscription number (one customer each): the token attached at the start, or null for none. */
  tokens: readonly (string | null)[];
  /** The fixes: `attach_payment_method` steps, unsorted. */
  fixes: readonly Step[];
}>;

/**
 * Tokens and fixes, from a random stream of their own: the subscriptions'
 * steps are the same whatever the mix, so a run with `pm_ok` alone bills
 * what a run with the default mix would have billed without dunning.
 */
export const drawTokens = (seed: number, steps: readonly Step[], plans: readonly PlanSpec[], mix: TokenMix, from: number, to: number): DrawnTokens => {
  const rng = seededRandom((seed ^ 0x5eed_70c5) >>> 0);
  const tokens: (string | null)[] = [];
  const fixes: Step[] = [];
  const subscribes = steps.filter((s) => s.action.kind === 'subscribe').sort((a, b) => a.subscription - b.subscription);
  for (const step of subscribes) {
    const token = rng.weighted(mix);
    tokens[step.subscription] = token === NO_TOKEN ? null : token;
    if (token !== 'pm_insufficient_funds' || rng.next() >= FIX_SHARE) continue;
    const { trialDays } = plans.find((p) => p.key === (step.action as { plan: string }).plan)!;
    const dueAt = Date.parse(step.at) + trialDays * DAY;
    // The window's time of day + FIX_SLOT_HOURS: subscriptions start at the window's time of day.
    const at = dueAt + rng.int(0, FIX_MAX_DAYS) * DAY + FIX_SLOT_HOURS * HOUR;
    if (at < to && at > from) fixes.push({ at: new Date(at).toISOString(), subscription: step.subscription, action: { kind: 'attach_payment_method', paymentMethod: 'pm_ok' } });
  }
  return { tokens, fixes };
};
