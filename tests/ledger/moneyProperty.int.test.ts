import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { onSimulatedClock } from '../api/simulatedClock.js';
import type { Json } from '../api/support.js';

/**
 * Money adds up, whatever happens: random sequences of what customers,
 * operators and the clock do, over HTTP against real PostgreSQL, pg-boss and
 * the simulated gateway. After every step the clock settles (billing,
 * charges, refunds and every process run) and the ledger is checked: it
 * reconciles (trial balance 0; each customer's credit, receivable,
 * written-off and cash as the streams and the gateway say; no clearing left
 * open), no balance and no amount due is below 0, every succeeded charge is
 * posted to cash exactly, credit notes stay within their invoices and refunds
 * within their charges.
 */
const clock = onSimulatedClock('2034-01-01T09:00:00.000Z', 'prop-manager@example.com', { DATA_DIR: mkdtempSync(path.join(tmpdir(), 'billstream-prop-')) });

const TOKENS = ['pm_ok', 'pm_declined', 'pm_insufficient_funds', 'pm_flaky_1', 'pm_refund_fails', null] as const;
const REASONS = ['duplicate', 'fraudulent', 'order_change', 'product_unsatisfactory', 'other'] as const;

type Step =
  | { kind: 'subscribe'; token: (typeof TOKENS)[number]; plan: number; drafts: boolean; credit: number }
  | { kind: 'change'; sub: number; plan: number }
  | { kind: 'quantity'; sub: number; quantity: number }
  | { kind: 'cancel'; sub: number; prorate: boolean; atPeriodEnd: boolean }
  | { kind: 'grant'; customer: number; amount: number }
  | { kind: 'advance'; days: number }
  | { kind: 'pay' | 'void' | 'writeOff' | 'finalize'; invoice: number }
  | { kind: 'creditNote'; invoice: number; share: number; split: 'refund' | 'credit' | 'outOfBand'; reason: number; byLines: boolean }
  | { kind: 'voidCreditNote'; note: number };

const pick = fc.nat({ max: 1_000 });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('subscribe' as const), token: fc.constantFrom(...TOKENS), plan: fc.nat({ max: 2 }), drafts: fc.constantFrom(false, false, false, true), credit: fc.constantFrom(0, 0, 500, 5_000) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('change' as const), sub: pick, plan: fc.nat({ max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('quantity' as const), sub: pick, quantity: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), sub: pick, prorate: fc.boolean(), atPeriodEnd: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('grant' as const), customer: pick, amount: fc.integer({ min: 1, max: 3_000 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), days: fc.constantFrom(1, 3, 9, 17, 31) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('pay' as const, 'void' as const, 'writeOff' as const, 'finalize' as const), invoice: pick }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('creditNote' as const),
      invoice: pick,
      share: fc.double({ min: 0.05, max: 1, noNaN: true }),
      split: fc.constantFrom('refund' as const, 'credit' as const, 'outOfBand' as const),
      reason: fc.nat({ max: REASONS.length - 1 }),
      byLines: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('voidCreditNote' as const), note: pick }) },
);

/** Customers, subscriptions, invoices and credit notes the run has made, by index. */
const made = { plans: [] as string[], customers: [] as string[], subscriptions: [] as string[], notes: [] as string[], n: 0 };
const of = <T>(list: readonly T[], i: number): T | undefined => (list.length === 0 ? undefined : list[i % list.length]);

const send = (method: string, url: string, body?: unknown) => clock.api.call(method, url, { token: clock.manager, ...(body !== undefined && { body }) });
/** A refusal is an answer too (4xx); a 500 never is. */
const tried = async (method: string, url: string, body: unknown = {}) => {
  const res = await send(method, url, body);
  expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
  return res;
};

const invoicesNow = async (): Promise<Json[]> => {
  const all: Json[] = [];
  for (const customerId of made.customers) {
    const res = await send('GET', `/v1/invoices?customerId=${customerId}&limit=100`);
    all.push(...res.body.data);
  }
  return all;
};

const apply = async (step: Step): Promise<void> => {
  switch (step.kind) {
    case 'subscribe': {
      made.n += 1;
      const customer = (await tried('POST', '/v1/customers', { name: `c${made.n}`, email: `ap@c${made.n}.example`, draftInvoices: step.drafts })).body.data;
      if (step.token) await tried('POST', `/v1/customers/${customer.customerId}/payment-method`, { paymentMethod: step.token });
      if (step.credit > 0) await tried('POST', `/v1/customers/${customer.customerId}/credits`, { amount: step.credit, currency: 'usd', reason: 'goodwill' });
      const contract = (await tried('POST', '/v1/contracts', { customerId: customer.customerId, title: `c${made.n}` })).body.data;
      await tried('POST', `/v1/contracts/${contract.contractId}/activate`);
      const sub = (await tried('POST', '/v1/subscriptions', { contractId: contract.contractId, planId: made.plans[step.plan] })).body.data;
      made.customers.push(customer.customerId);
      made.subscriptions.push(sub.subscriptionId);
      return;
    }
    case 'change': {
      const sub = of(made.subscriptions, step.sub);
      if (sub) await tried('POST', `/v1/subscriptions/${sub}/change-plan`, { planId: made.plans[step.plan] });
      return;
    }
    case 'quantity': {
      const sub = of(made.subscriptions, step.sub);
      if (sub) await tried('POST', `/v1/subscriptions/${sub}/change-quantity`, { quantity: step.quantity });
      return;
    }
    case 'cancel': {
      const sub = of(made.subscriptions, step.sub);
      if (sub) await tried('POST', `/v1/subscriptions/${sub}/cancel`, { prorate: step.prorate, atPeriodEnd: step.atPeriodEnd });
      return;
    }
    case 'grant': {
      const customer = of(made.customers, step.customer);
      if (customer) await tried('POST', `/v1/customers/${customer}/credits`, { amount: step.amount, currency: 'usd', reason: 'goodwill' });
      return;
    }
    case 'advance':
      await tried('POST', '/v1/test/clock/advance', { days: step.days });
      return;
    case 'pay':
    case 'void':
    case 'writeOff':
    case 'finalize': {
      const invoice = of(await invoicesNow(), step.invoice);
      if (!invoice) return;
      const action = { pay: 'pay', void: 'void', writeOff: 'mark-uncollectible', finalize: 'finalize' }[step.kind];
      await tried('POST', `/v1/invoices/${invoice.invoiceId}/${action}`);
      return;
    }
    case 'creditNote': {
      const invoice = of(await invoicesNow(), step.invoice);
      if (!invoice) return;
      const amount = Math.max(1, Math.floor(invoice.total * step.share));
      const post = Math.max(0, amount - invoice.amountDue);
      const asked = step.byLines
        ? { lines: invoice.lines.filter((l: Json) => l.amount > 0 && ['plan_charge', 'proration_debit'].includes(l.type)).slice(0, 1).map((l: Json) => ({ itemKey: l.itemKey, amount })) }
        : { amount };
      const res = await tried('POST', `/v1/invoices/${invoice.invoiceId}/credit-notes`, { reason: REASONS[step.reason], ...asked, ...(post > 0 && { [step.split]: post }) });
      if (res.status === 201) made.notes.push(res.body.data.creditNoteId);
      return;
    }
    case 'voidCreditNote': {
      const note = of(made.notes, step.note);
      if (note) await tried('POST', `/v1/credit-notes/${note}/void`);
      return;
    }
  }
};

const check = async () => {
  await tried('POST', '/v1/test/clock/advance', { days: 0 });
  const head = (await clock.system.store.headPosition())!;
  const reconciliation = (await clock.api.call('GET', '/v1/ledger/reconciliation', { token: clock.manager, headers: { 'X-Min-Position': `${head.commit}/${head.prepare}` } })).body.data;
  expect(reconciliation.checks.filter((c: Json) => !c.ok), 'reconciliation').toEqual([]);
  expect(reconciliation.openClearings, 'open clearings').toEqual([]);
  const db = clock.system.db;
  const negative = await sql<{ n: number }>`
    select (select count(*) from read.invoices where amount_due < 0)::int
         + (select count(*) from (select customer_id, currency, sum(balance) as b from read.ledger_postings where account = 'customer_credit' group by 1, 2) c where c.b > 0)::int as n`.execute(db);
  expect(negative.rows[0]!.n, 'amounts due or credit balances below 0').toBe(0);
  const unposted = await sql<{ charge_id: string }>`
    select c.charge_id from payments.simulated_charges c
      left join (select reference, sum(amount) as posted from read.ledger_entries where debit_account = 'cash' group by reference) l on l.reference = c.charge_id
     where c.outcome = 'succeeded' and coalesce(l.posted, 0) <> c.amount`.execute(db);
  expect(unposted.rows, 'succeeded charges not posted to cash exactly once').toEqual([]);
  const overRefunded = await sql<{ charge_id: string }>`
    select c.charge_id from payments.simulated_charges c join payments.simulated_refunds r on r.charge_id = c.charge_id and r.outcome = 'succeeded'
     group by c.charge_id, c.amount having sum(r.amount) > c.amount`.execute(db);
  expect(overRefunded.rows, 'refunds beyond their charge').toEqual([]);
  const overCredited = await sql<{ invoice_id: string }>`
    select n.invoice_id from read.credit_notes n join read.invoices i using (invoice_id)
     where n.status = 'ISSUED' group by n.invoice_id, i.total having sum(n.amount) > i.total`.execute(db);
  expect(overCredited.rows, 'credit notes beyond their invoice').toEqual([]);
  const overLine = await sql<{ invoice_id: string }>`
    select n.invoice_id from read.credit_notes n, jsonb_to_recordset(n.lines) as cl("itemKey" text, amount bigint)
      join read.invoice_lines l on l.item_key = cl."itemKey"
     where n.status = 'ISSUED' and l.invoice_id = n.invoice_id group by n.invoice_id, l.item_key, l.amount having sum(cl.amount) > l.amount`.execute(db);
  expect(overLine.rows, 'credit notes beyond a line').toEqual([]);
};

describe('money adds up', () => {
  it('after every step of random sequences of subscriptions, changes, cancellations, credit, the clock, payments, voids, write-offs, credit notes and refunds', async () => {
    for (const [i, amount] of [1_000, 3_100, 700].entries()) {
      made.plans.push((await send('POST', '/v1/plans', { name: `P${i}`, pricingModel: 'per_unit', amount, currency: 'usd', interval: 'month' })).body.data.planId);
    }
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 4, maxLength: 12 }), async (steps) => {
        for (const step of steps) {
          await apply(step);
          await check();
        }
      }),
      { numRuns: Number(process.env.MONEY_PROPERTY_RUNS ?? 15), endOnFailure: true },
    );
    // The runs reached what they are about: invoices paid and not, credit notes, refunds.
    const { rows } = await sql<{ what: string; n: number }>`
      select 'invoices ' || status as what, count(*)::int as n from read.invoices group by status
      union all select 'credit notes', count(*)::int from read.credit_notes
      union all select 'refunds ' || status, count(*)::int from read.refunds group by status
      union all select 'charges ' || outcome, count(*)::int from payments.simulated_charges group by outcome`.execute(clock.system.db);
    console.log(rows.map((r) => `${r.what}: ${r.n}`).join(', '));
  }, 600_000);
});
