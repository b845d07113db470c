import { rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { dropDatabase } from '../../src/db/databases.js';
import { createSilentLogger } from '../../src/logger/index.js';
import { countByKind, generateScenario } from '../../src/root/simulate/plan.js';
import { simulate, type SimulationResult } from '../../src/root/simulate/run.js';
import { addMonths, expectedBilling, share, wholeDays } from './expected.js';

/**
 * A small simulation through the same function the CLI runs, on a fresh
 * database of the test server (kept, to read per subscription, and dropped
 * here), against what the scenario must bill, computed in ./expected.ts
 * without the billing engine, the calendar or the money module. Every
 * customer pays (pm_ok): that computation does not model dunning, which
 * cancels the subscriptions of customers who do not (see collections.int.test.ts).
 */
const SCENARIO = { from: '2026-01-01T00:00:00.000Z', to: '2026-06-01T00:00:00.000Z', subscriptions: 24, seed: 42, tokens: [['pm_ok', 1]] } as const;
const serverUrl = () => inject('postgresUrl');

let result: SimulationResult;
let rows: { subscription_id: string; invoices: string; total: string; status: string }[];

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
  rows = await query(
    result.databaseUrl!,
    `select s.subscription_id, s.status, count(i.invoice_id) as invoices, coalesce(sum(i.total), 0) as total
     from read.subscriptions s left join read.invoices i using (subscription_id) group by 1, 2`,
  );
});
afterAll(async () => {
  if (result?.databaseUrl) await dropDatabase(serverUrl(), result.database);
  // Kept with the database: the run's own directory, which holds the notices' outbox.
  if (result?.outbox) await rm(path.dirname(result.outbox), { recursive: true, force: true });
});

describe('the independent computation', () => {
  it('clamps to the anchor day, counts UTC dates and rounds half to even', () => {
    const jan31 = Date.parse('2028-01-31T10:00:00Z');
    expect([1, 2, 3, 13].map((k) => new Date(addMonths(jan31, k)).toISOString().slice(0, 10))).toEqual(['2028-02-29', '2028-03-31', '2028-04-30', '2029-02-28']);
    expect(wholeDays(Date.parse('2026-03-01T23:00:00Z'), Date.parse('2026-03-02T01:00:00Z'))).toBe(1);
    expect([share(5, 1, 2), share(15, 1, 2), share(1_000, 1, 3), share(2_000, 2, 3)]).toEqual([2, 8, 333, 1_333]);
  });
});

describe('billstream simulate', () => {
  it('holds every kind of step, month-end anchors and trials, and nothing was refused', () => {
    expect(result.scenario).toEqual(generateScenario(SCENARIO));
    const kinds = countByKind(result.scenario.steps);
    for (const kind of ['subscribe', 'change_plan', 'change_quantity', 'pause', 'resume', 'cancel_now', 'cancel_at_period_end']) {
      expect(kinds[kind] ?? 0, kind).toBeGreaterThan(0);
    }
    const starts = result.scenario.steps.flatMap((s) => (s.action.kind === 'subscribe' ? [{ at: s.at, plan: s.action.plan }] : []));
    expect(starts.some((s) => new Date(s.at).getUTCDate() >= 29)).toBe(true);
    expect(starts.some((s) => result.scenario.plans.find((p) => p.key === s.plan)!.trialDays > 0)).toBe(true);
    expect(result.header.refused).toEqual({});
    expect(result.subscriptionIds.filter(Boolean)).toHaveLength(SCENARIO.subscriptions);
  });

  it('bills each subscription the invoices and totals computed independently from the scenario', () => {
    const expected = expectedBilling(result.scenario);
    const actual = new Map(rows.map((r) => [r.subscription_id, r]));
    const perSubscription = (source: 'actual' | 'expected') =>
      expected.map((e, i) => {
        const row = actual.get(result.subscriptionIds[i]!);
        return source === 'actual'
          ? { i, invoices: Number(row?.invoices ?? 0), total: Number(row?.total ?? 0), status: row?.status }
          : { i, invoices: e.invoices.length, total: e.invoices.reduce((a, v) => a + v.total, 0), status: e.status };
      });
    expect(perSubscription('actual')).toEqual(perSubscription('expected'));

    const all = expected.flatMap((e) => e.invoices);
    expect(result.summary.invoices).toMatchObject({
      count: all.length,
      finalized: all.length,
      total: all.reduce((a, v) => a + v.total, 0),
      zeroTotal: all.filter((v) => v.total === 0).length,
    });
    expect(result.summary.credits).toEqual({
      grants: all.filter((v) => v.granted > 0).length,
      granted: all.reduce((a, v) => a + v.granted, 0),
      applications: all.filter((v) => v.applied > 0).length,
      applied: all.reduce((a, v) => a + v.applied, 0),
    });
    // The scenario reaches credit carried from one invoice to a later one.
    expect(result.summary.credits.grants).toBeGreaterThan(0);
    expect(result.summary.credits.applications).toBeGreaterThan(0);
    // The month table adds up to the whole.
    expect(result.summary.revenueByMonth.reduce((a, m) => a + m.total, 0)).toBe(result.summary.invoices.total);
  });

  it('collects every invoice with a total at its first attempt, and no subscription goes past due', () => {
    const all = expectedBilling(result.scenario).flatMap((e) => e.invoices);
    // Charged: what the customer's credit did not pay.
    const charged = all.filter((v) => v.total - v.applied > 0);
    expect(result.scenario.tokens).toEqual(Array(SCENARIO.subscriptions).fill('pm_ok'));
    expect(result.summary.collections).toMatchObject({
      attempts: charged.length,
      succeeded: charged.length,
      collected: charged.reduce((a, v) => a + v.total - v.applied, 0),
      failures: [],
      invoicesByStatus: [{ status: 'PAID', count: all.length, total: result.summary.invoices.total }],
      wentPastDue: 0,
      recoveries: 0,
      graceCancellations: 0,
      paymentMethods: [{ token: 'pm_ok', count: SCENARIO.subscriptions }],
    });
  });
});
