import { rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { dropDatabase } from '../../src/db/databases.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { simulate, type SimulationResult } from '../../src/root/simulate/run.js';
import { expectedBilling } from './expected.js';
import { collect, dunningOf, GRACE_DAYS, noticesOf, type Attempt, type Collected, type InvoiceFacts } from './expectedCollections.js';

/**
 * A seeded mix of payment methods over four months, through the same
 * function the CLI runs, on a fresh database of the test server (kept, and
 * dropped here). What collections did is read back from the event store and
 * compared with ./expectedCollections.ts, which applies the tokens' and
 * dunning's rules to each invoice the run finalised; the summary's figures
 * (read models, collections.notices_sent) must be that computation's totals.
 * No pauses or cancellations: a subscription ends only when grace does.
 */
const SCENARIO = {
  from: '2026-01-01T00:00:00.000Z',
  to: '2026-05-01T00:00:00.000Z',
  subscriptions: 30,
  seed: 10,
  kinds: { pause: false, cancel: false },
  tokens: [['pm_ok', 2], ['pm_flaky_1', 1], ['pm_flaky_2', 1], ['pm_insufficient_funds', 3], ['pm_declined', 1], ['none', 1]],
} as const;
const TO = Date.parse(SCENARIO.to);
const DAY = 86_400_000;
const serverUrl = () => inject('postgresUrl');

type Row = { stream_name: string; type: string; data: Record<string, unknown> };
let result: SimulationResult;
let events: Row[];
let invoiceRows: { invoice_id: string; subscription_id: string; status: string; finalized_at: Date; marked_uncollectible_at: Date | null }[];
let subscriptionRows: { subscription_id: string; status: string; canceled_at: Date | null; invoices: string; total: string }[];

const query = async <R>(url: string, text: string): Promise<R[]> => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as R[];
  } finally {
    await client.end();
  }
};

beforeAll(async () => {
  result = await simulate({ ...SCENARIO, keep: true, config: loadConfig({ DATABASE_URL: serverUrl(), LOG_LEVEL: 'error' }), logger: createSilentLogger() });
  const url = result.databaseUrl!;
  events = await query(url, 'select stream_name, type, data from es.events order by transaction_id, global_position');
  invoiceRows = await query(url, 'select invoice_id, subscription_id, status, finalized_at, marked_uncollectible_at from read.invoices order by finalized_at, invoice_id');
  subscriptionRows = await query(
    url,
    `select s.subscription_id, s.status, s.canceled_at, count(i.invoice_id) as invoices, coalesce(sum(i.total), 0) as total
     from read.subscriptions s left join read.invoices i using (subscription_id) group by 1, 2, 3`,
  );
});
afterAll(async () => {
  if (result?.databaseUrl) await dropDatabase(serverUrl(), result.database);
  // Kept with the database: the run's own directory, which holds the notices' outbox.
  if (result?.outbox) await rm(path.dirname(result.outbox), { recursive: true, force: true });
});

const data = <T>(row: Row) => row.data as T;
const ofType = (type: string) => events.filter((e) => e.type === type);
const numberOf = (subscriptionId: string) => result.subscriptionIds.indexOf(subscriptionId);

/** The card subscription i's customer has at an instant: its first token, then each fix made before that instant. */
const cardAt = (i: number) => (ms: number) => {
  let card = result.scenario.tokens[i] ?? null;
  for (const s of result.scenario.steps) {
    if (s.subscription === i && s.action.kind === 'attach_payment_method' && Date.parse(s.at) < ms) card = s.action.paymentMethod;
  }
  return card;
};

/** Every finalised invoice, as the event store has it. */
const invoiceFacts = (): InvoiceFacts[] => {
  const finalized = new Map(ofType('InvoiceFinalized').map((e) => [data<{ invoiceId: string }>(e).invoiceId, data<{ finalizedAt: string }>(e).finalizedAt]));
  return ofType('InvoiceCreated').map((e) => {
    const d = data<{ invoiceId: string; subscriptionId: string; total: number; creditApplied: number; cause: { kind: 'period' | 'change' } }>(e);
    const due = d.total - d.creditApplied;
    return { invoiceId: d.invoiceId, subscriptionId: d.subscriptionId, total: d.total, due, finalizedAt: finalized.get(d.invoiceId)!, cause: d.cause.kind };
  });
};

const expectedCollections = () =>
  invoiceFacts().map((facts) => ({ facts, collected: collect(facts, cardAt(numberOf(facts.subscriptionId)), TO) }));

/** What the event store recorded of an invoice's collection. */
const actualCollection = (invoiceId: string): Collected => {
  const mine = events.filter((e) => e.stream_name === `invoice-${invoiceId}`);
  const attempts: Attempt[] = mine
    .filter((e) => e.type === 'PaymentAttempted')
    .map((e) => {
      const { attempt, paymentMethod, attemptedAt } = data<{ attempt: number; paymentMethod: string | null; attemptedAt: string }>(e);
      const failure = mine.find((f) => f.type === 'PaymentFailed' && data<{ attempt: number }>(f).attempt === attempt);
      return { at: attemptedAt, method: paymentMethod, failed: failure ? data<{ code: string }>(failure).code : null };
    });
  const paid = mine.find((e) => e.type === 'InvoicePaid');
  const written = mine.find((e) => e.type === 'InvoiceMarkedUncollectible');
  const lastFailure = mine.filter((e) => e.type === 'PaymentFailed').at(-1);
  return {
    attempts,
    status: paid ? 'PAID' : written ? 'UNCOLLECTIBLE' : 'OPEN',
    settledAt: paid ? data<{ paidAt: string }>(paid).paidAt : written ? data<{ markedAt: string }>(written).markedAt : null,
    graceEndsAt: lastFailure ? data<{ graceEndsAt: string | null }>(lastFailure).graceEndsAt : null,
  };
};

const countBy = (items: readonly string[]) => {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => (a < b ? -1 : 1));
};

describe('billstream simulate with a mix of payment methods', () => {
  it('draws every token of the mix, and fixes of pm_insufficient_funds cards', () => {
    const tokens = new Set(result.scenario.tokens.map((t) => t ?? 'none'));
    expect([...tokens].sort()).toEqual(['none', 'pm_declined', 'pm_flaky_1', 'pm_flaky_2', 'pm_insufficient_funds', 'pm_ok']);
    const fixes = result.scenario.steps.filter((s) => s.action.kind === 'attach_payment_method');
    expect(fixes.length).toBeGreaterThan(0);
    expect(fixes.every((s) => result.scenario.tokens[s.subscription] === 'pm_insufficient_funds')).toBe(true);
    // Nothing of the scenario is refused until a subscription is canceled for not paying.
    expect(Object.keys(result.header.refused).every((k) => k.endsWith(':subscription.invalid_transition'))).toBe(true);
  });

  it('collects each invoice as the tokens and the dunning rules say', () => {
    const expected = expectedCollections();
    expect(expected.some((e) => e.collected.status === 'UNCOLLECTIBLE')).toBe(true);
    expect(expected.some((e) => e.collected.status === 'PAID' && e.collected.attempts.length > 1)).toBe(true);
    expect(expected.map((e) => ({ invoiceId: e.facts.invoiceId, ...actualCollection(e.facts.invoiceId) }))).toEqual(
      expected.map((e) => ({ invoiceId: e.facts.invoiceId, ...e.collected })),
    );
  });

  it('cancels, at the end of grace, every subscription of a customer whose card is declined or missing', () => {
    const hard = result.subscriptionIds.filter((_, i) => result.scenario.tokens[i] === 'pm_declined' || result.scenario.tokens[i] === null);
    expect(hard.length).toBeGreaterThan(0);
    let canceled = 0;
    for (const id of hard) {
      const first = invoiceRows.find((r) => r.subscription_id === id && r.status !== 'PAID');
      const subscription = subscriptionRows.find((s) => s.subscription_id === id)!;
      if (!first) continue; // still in its trial at the end
      const graceEnds = first.finalized_at.getTime() + GRACE_DAYS * DAY;
      if (graceEnds > TO) {
        expect({ invoice: first.status, subscription: subscription.status }, id).toEqual({ invoice: 'OPEN', subscription: 'PAST_DUE' });
        continue;
      }
      canceled += 1;
      expect({ invoice: first.status, writtenOff: first.marked_uncollectible_at?.getTime(), subscription: subscription.status, canceled: subscription.canceled_at?.getTime() }, id).toEqual({
        invoice: 'UNCOLLECTIBLE',
        writtenOff: graceEnds,
        subscription: 'CANCELED',
        canceled: graceEnds,
      });
    }
    expect(canceled).toBeGreaterThan(0);
  });

  it('has every invoice of a pm_ok customer paid, and bills its subscription as computed without dunning', () => {
    const billing = expectedBilling(result.scenario);
    const ok = result.subscriptionIds.flatMap((id, i) => (result.scenario.tokens[i] === 'pm_ok' ? [{ id: id!, i }] : []));
    expect(ok.length).toBeGreaterThan(0);
    for (const { id, i } of ok) {
      expect(invoiceRows.filter((r) => r.subscription_id === id).map((r) => r.status)).toEqual(billing[i]!.invoices.map(() => 'PAID'));
      const row = subscriptionRows.find((s) => s.subscription_id === id)!;
      expect({ invoices: Number(row.invoices), total: Number(row.total), status: row.status }).toEqual({
        invoices: billing[i]!.invoices.length,
        total: billing[i]!.invoices.reduce((a, v) => a + v.total, 0),
        status: billing[i]!.status,
      });
    }
  });

  it('summarises payments, invoices, dunning and notices as the computation totals them', () => {
    const expected = expectedCollections();
    const bySubscription = result.subscriptionIds.map((id) => dunningOf(expected.filter((e) => e.facts.subscriptionId === id)));
    const attempts = expected.flatMap((e) => e.collected.attempts);
    const paidByCharge = expected.filter((e) => e.collected.status === 'PAID' && e.collected.attempts.length > 0);
    const statuses = countBy(expected.map((e) => e.collected.status));
    const trials = result.scenario.steps.filter((s) => {
      if (s.action.kind !== 'subscribe') return false;
      const plan = result.scenario.plans.find((p) => p.key === (s.action as { plan: string }).plan)!;
      return plan.trialDays > 0 && Date.parse(s.at) + (plan.trialDays - 3) * DAY <= TO;
    });
    const notices = [
      ...expected.flatMap((e) => noticesOf(e.collected, e.facts.due, TO)),
      ...result.subscriptionIds.map(() => 'subscription_created'),
      ...trials.map(() => 'trial_will_end'),
    ];
    const finalCards = result.subscriptionIds.map((_, i) => cardAt(i)(TO + 1) ?? 'none');

    expect(result.summary.collections).toEqual({
      attempts: attempts.length,
      succeeded: paidByCharge.length,
      collected: paidByCharge.reduce((a, e) => a + e.facts.due, 0),
      failures: countBy(attempts.flatMap((a) => (a.failed ? [a.failed] : []))).map(([code, count]) => ({ code, count })),
      invoicesByStatus: statuses.map(([status, count]) => ({
        status,
        count,
        total: expected.filter((e) => e.collected.status === status).reduce((a, e) => a + e.facts.total, 0),
      })),
      writtenOffAtGraceEnd: expected.filter((e) => e.collected.status === 'UNCOLLECTIBLE').length,
      wentPastDue: bySubscription.filter((d) => d.wentPastDue).length,
      recoveries: bySubscription.reduce((a, d) => a + d.recoveries, 0),
      graceCancellations: bySubscription.filter((d) => d.canceledAt !== null).length,
      pastDueAtEnd: bySubscription.filter((d) => d.pastDueAtEnd).length,
      notices: countBy(notices).map(([name, count]) => ({ name, count })),
      paymentMethods: countBy(finalCards).map(([token, count]) => ({ token, count })),
    });
    // The computation reaches each kind of outcome.
    expect(result.summary.collections.recoveries).toBeGreaterThan(0);
    expect(result.summary.collections.graceCancellations).toBeGreaterThan(0);
    expect(result.summary.collections.notices.map((r) => r.name)).toContain('payment_failed_1day');
  });

  it('recorded each subscription past due, recovered and canceled (payment_failed) when the computation says', () => {
    const expected = expectedCollections();
    const actual = result.subscriptionIds.map((id) => {
      const mine = events.filter((e) => e.stream_name === `subscription-${id}`);
      const canceled = mine.find((e) => e.type === 'SubscriptionCanceled' && data<{ reason?: string }>(e).reason === 'payment_failed');
      return {
        wentPastDue: mine.some((e) => e.type === 'SubscriptionPastDue'),
        recoveries: mine.filter((e) => e.type === 'SubscriptionRecovered').length,
        canceledAt: canceled ? data<{ canceledAt: string }>(canceled).canceledAt : null,
        pastDueAtEnd: subscriptionRows.find((s) => s.subscription_id === id)!.status === 'PAST_DUE',
      };
    });
    expect(actual).toEqual(result.subscriptionIds.map((id) => dunningOf(expected.filter((e) => e.facts.subscriptionId === id))));
  });
});
