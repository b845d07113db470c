import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
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
 * within their charges. Plans and customers carry tax rates (exclusive and
 * inclusive, with decimals), customers and subscriptions coupons (percent and
 * amount off, once, repeating and forever, one with few redemptions): every
 * invoice's tax, discount, subtotal and total add up from its lines, and
 * credit notes give back no more tax than the invoice's rate and line had.
 */
const clock = onSimulatedClock('2034-01-01T09:00:00.000Z', 'prop-manager@example.com', { DATA_DIR: mkdtempSync(path.join(tmpdir(), 'billstream-prop-')) });

const TOKENS = ['pm_ok', 'pm_declined', 'pm_insufficient_funds', 'pm_flaky_1', 'pm_refund_fails', null] as const;
const REASONS = ['duplicate', 'fraudulent', 'order_change', 'product_unsatisfactory', 'other'] as const;
/** Tax rates the setup creates; PLAN_RATES says which one each plan carries (the customer's, when set, wins). */
const RATES = [
  { displayName: 'VAT', jurisdiction: 'GB', percentage: '20', inclusive: false },
  { displayName: 'GST', jurisdiction: 'AU', percentage: '10', inclusive: true },
  { displayName: 'Sales tax', jurisdiction: 'US-TX', percentage: '8.25', inclusive: false },
] as const;
const PLAN_RATES: readonly (number | undefined)[] = [0, undefined, 1];
/** Coupons the setup creates; the last one runs out of redemptions early in a run of runs. */
const COUPONS = [
  { name: 'Eighth off', percentOff: '12.5', duration: 'forever' },
  { name: 'Five off once', amountOff: 500, currency: 'usd', duration: 'once' },
  { name: 'Third off twice', percentOff: '33.33', duration: 'repeating', durationInPeriods: 2 },
  { name: 'Fifteen off', amountOff: 1_500, currency: 'usd', duration: 'forever' },
  { name: 'All off once, four only', percentOff: '100', duration: 'once', maxRedemptions: 4 },
] as const;
/** Lines a coupon discounts and a credit note credits: charges. */
const CHARGES = ['plan_charge', 'proration_debit'];

type Step =
  /** `rate` and `coupon`, by index, are the customer's before it subscribes. */
  | { kind: 'subscribe'; token: (typeof TOKENS)[number]; plan: number; drafts: boolean; credit: number; rate: number | null; coupon: number | null }
  | { kind: 'change'; sub: number; plan: number }
  | { kind: 'quantity'; sub: number; quantity: number }
  | { kind: 'cancel'; sub: number; prorate: boolean; atPeriodEnd: boolean }
  | { kind: 'grant'; customer: number; amount: number }
  | { kind: 'advance'; days: number }
  | { kind: 'pay' | 'void' | 'writeOff' | 'finalize'; invoice: number }
  /** `share` of what the invoice or its first charge billed (above 1: all that is left), in `parts` notes. */
  | { kind: 'creditNote'; invoice: number; share: number; parts: number; split: 'refund' | 'credit' | 'outOfBand'; reason: number; byLines: boolean }
  | { kind: 'voidCreditNote'; note: number }
  /** `rate` RATES.length removes the customer's rate; `coupon` COUPONS.length removes the discount. */
  | { kind: 'customerTaxRate'; customer: number; rate: number }
  | { kind: 'customerCoupon'; customer: number; coupon: number }
  | { kind: 'subscriptionCoupon'; sub: number; coupon: number };

const pick = fc.nat({ max: 1_000 });
/** A coupon, or (a third of the time) COUPONS.length: taking the discount off. */
const couponOrNone = fc.oneof({ weight: 2, arbitrary: fc.nat({ max: COUPONS.length - 1 }) }, { weight: 1, arbitrary: fc.constant(COUPONS.length) });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('subscribe' as const), token: fc.constantFrom(...TOKENS), plan: fc.nat({ max: 2 }), drafts: fc.constantFrom(false, false, false, true), credit: fc.constantFrom(0, 0, 500, 5_000), rate: fc.option(fc.nat({ max: RATES.length - 1 }), { freq: 2 }), coupon: fc.option(fc.nat({ max: COUPONS.length - 1 }), { freq: 3 }) }) },
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
      // Now and then all of it (1) or more than is left (1.25, asked again for what is left).
      share: fc.oneof({ weight: 3, arbitrary: fc.double({ min: 0.05, max: 1, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom(1, 1.25) }),
      parts: fc.constantFrom(1, 1, 2, 3),
      split: fc.constantFrom('refund' as const, 'credit' as const, 'outOfBand' as const),
      reason: fc.nat({ max: REASONS.length - 1 }),
      byLines: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('voidCreditNote' as const), note: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('customerTaxRate' as const), customer: pick, rate: fc.nat({ max: RATES.length }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('customerCoupon' as const), customer: pick, coupon: couponOrNone }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('subscriptionCoupon' as const), sub: pick, coupon: couponOrNone }) },
);

/** Plans, tax rates, coupons, customers, subscriptions and credit notes the runs have made, by index. */
const made = { plans: [] as string[], rates: [] as string[], coupons: [] as string[], customers: [] as string[], subscriptions: [] as string[], notes: [] as string[], n: 0 };
const of = <T>(list: readonly T[], i: number): T | undefined => (list.length === 0 ? undefined : list[i % list.length]);

const send = (method: string, url: string, body?: unknown) => clock.api.call(method, url, { token: clock.manager, ...(body !== undefined && { body }) });
/** A refusal is an answer too (4xx); a 500 never is. */
const tried = async (method: string, url: string, body: unknown = method === 'POST' ? {} : undefined) => {
  const res = await send(method, url, body);
  expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
  return res;
};

/** Every invoice, as the API lists them (the read model), a page of 100 at a time. */
const invoicesNow = async (): Promise<Json[]> => {
  const all: Json[] = [];
  for (let cursor: string | null = null; ; ) {
    const res = await send('GET', `/v1/invoices?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    all.push(...res.body.data);
    cursor = res.body.page.nextCursor;
    if (!cursor) return all;
  }
};

/**
 * Issues a credit note of `amount` (before the tax it adds) with the part beyond
 * the amount due split as the step says. That part is a guess (the note's tax
 * is the API's to say): a mismatch answers it, and the note is asked again,
 * split exactly. A note beyond what is left is asked again for what is left
 * (the creditable amount the refusal answers), as an operator crediting the
 * rest would: so notes often credit a line or an invoice to the last cent.
 */
const creditNote = async (invoice: Json, step: Extract<Step, { kind: 'creditNote' }>, asked: (amount: number) => object, amount: number): Promise<void> => {
  const url = `/v1/invoices/${invoice.invoiceId}/credit-notes`;
  let [credited, post] = [amount, Math.max(0, amount - invoice.amountDue)];
  for (let attempt = 0; attempt < 4; attempt++) {
    const res = await tried('POST', url, { reason: REASONS[step.reason], ...asked(credited), ...(post > 0 && { [step.split]: post }) });
    if (res.status === 201) {
      made.notes.push(res.body.data.creditNoteId);
      return;
    }
    const { reason, details } = res.body.error ?? {};
    if (reason === 'credit_note.split_mismatch') post = details.postPayment;
    else if ((reason === 'credit_note.exceeds_line' || reason === 'credit_note.exceeds_invoice') && details.creditable > 0 && details.creditable < credited) credited = details.creditable;
    else return;
  }
};

/** Applies a coupon (or, past the last one, removes the discount) on a customer or a subscription. */
const couponOn = async (target: string, coupon: number) =>
  coupon < COUPONS.length ? tried('POST', `${target}/discount`, { couponId: made.coupons[coupon] }) : tried('DELETE', `${target}/discount`);

const apply = async (step: Step): Promise<void> => {
  switch (step.kind) {
    case 'subscribe': {
      made.n += 1;
      const customer = (await tried('POST', '/v1/customers', { name: `c${made.n}`, email: `ap@c${made.n}.example`, draftInvoices: step.drafts })).body.data;
      if (step.token) await tried('POST', `/v1/customers/${customer.customerId}/payment-method`, { paymentMethod: step.token });
      if (step.credit > 0) await tried('POST', `/v1/customers/${customer.customerId}/credits`, { amount: step.credit, currency: 'usd', reason: 'goodwill' });
      if (step.rate !== null) await tried('POST', `/v1/customers/${customer.customerId}/tax-rate`, { taxRateId: made.rates[step.rate] });
      if (step.coupon !== null) await couponOn(`/v1/customers/${customer.customerId}`, step.coupon);
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
      // Mostly a finalised invoice, which may take one; now and then any (a draft's or a void's refusal).
      const all = await invoicesNow();
      const finalised = all.filter((i) => i.status !== 'DRAFT' && i.status !== 'VOID');
      const invoice = of(finalised.length > 0 && step.invoice % 4 !== 0 ? finalised : all, step.invoice);
      if (!invoice) return;
      // A note credits what a charge billed after its discount, before exclusive tax (which the note adds).
      const charges = invoice.lines.filter((l: Json) => CHARGES.includes(l.type) && netOf(l) > 0);
      // Within the subtotal (a proration credit on the invoice bills less than its charges), so that most notes fit.
      const billed = step.byLines ? (charges[0] ? netOf(charges[0]) : 0) : sumOf(charges.map(netOf));
      const base = Math.min(billed, invoice.subtotal);
      const amount = Math.max(1, Math.floor(base * step.share));
      // In `parts` notes, the last taking the remainder, so that several notes' rounding of one line's tax adds up.
      const each = Math.max(1, Math.floor(amount / step.parts));
      for (let k = 0; k < step.parts; k++) {
        const part = k < step.parts - 1 ? each : Math.max(1, amount - each * k);
        await creditNote(invoice, step, (n) => (step.byLines ? { lines: charges.slice(0, 1).map((l: Json) => ({ itemKey: l.itemKey, amount: n })) } : { amount: n }), part);
      }
      return;
    }
    case 'voidCreditNote': {
      const note = of(made.notes, step.note);
      if (note) await tried('POST', `/v1/credit-notes/${note}/void`);
      return;
    }
    case 'customerTaxRate': {
      const customer = of(made.customers, step.customer);
      if (customer) await tried('POST', `/v1/customers/${customer}/tax-rate`, { taxRateId: made.rates[step.rate] ?? null });
      return;
    }
    case 'customerCoupon': {
      const customer = of(made.customers, step.customer);
      if (customer) await couponOn(`/v1/customers/${customer}`, step.coupon);
      return;
    }
    case 'subscriptionCoupon': {
      const sub = of(made.subscriptions, step.sub);
      if (sub) await couponOn(`/v1/subscriptions/${sub}`, step.coupon);
      return;
    }
  }
};

/** An invoice's amounts and lines in one line of text, for a failure's message. */
const linesText = (invoice: Json): string =>
  `subtotal ${invoice.subtotal}, discount ${invoice.discount}, tax ${invoice.tax}, total ${invoice.total}, credit applied ${invoice.creditApplied}; lines ` +
  invoice.lines
    .map((l: Json) => `${l.type} ${l.itemKey} ${l.amount}${l.discount !== undefined ? ` discount ${l.discount}` : ''}${l.taxRateId ? ` @${rateName(l.taxRateId)}${l.inclusive ? ' incl' : ''}` : ''}${l.tax !== undefined ? ` tax ${l.tax}` : ''}`)
    .join('; ');
const rateName = (taxRateId: string): string => RATES[made.rates.indexOf(taxRateId)]?.percentage.concat('%') ?? taxRateId;

const netOf = (line: Json): number => line.amount + (line.discount ?? 0);
const sumOf = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/**
 * What an invoice's lines say of its totals: the `tax` lines sum to `tax`,
 * each to its lines' shares; `total` is the lines but the credit applied and
 * inclusive tax, never below 0; `subtotal` that less exclusive tax, below 0
 * only when credit carried to the balance pays a charge's exclusive tax;
 * `discount` is what the `discount` lines took off; no charge is discounted
 * below 0 (nor raised by a discount).
 */
const invoiceProblems = (invoice: Json): string[] => {
  const problems: string[] = [];
  const at = `${invoice.invoiceId} (${invoice.status})`;
  const lines: Json[] = invoice.lines;
  const taxLines = lines.filter((l) => l.type === 'tax');
  const items = lines.filter((l) => l.type !== 'tax' && l.type !== 'discount' && l.type !== 'credit_to_balance');
  if (sumOf(taxLines.map((l) => l.amount)) !== invoice.tax) problems.push(`${at}: tax ${invoice.tax}, its tax lines ${sumOf(taxLines.map((l) => l.amount))}`);
  if (new Set(taxLines.map((l) => l.taxRateId)).size !== taxLines.length) problems.push(`${at}: more than one tax line for a rate`);
  for (const t of taxLines) {
    const own = items.filter((l) => l.taxRateId === t.taxRateId);
    const shares = sumOf(own.map((l) => l.tax ?? NaN));
    if (shares !== t.amount) problems.push(`${at}: rate ${t.taxRateId} taxes ${t.amount}, its lines' shares sum to ${shares}`);
  }
  for (const l of items.filter((l) => l.taxRateId !== undefined && !taxLines.some((t) => t.taxRateId === l.taxRateId))) {
    problems.push(`${at}: line ${l.itemKey} is taxed at ${l.taxRateId}, which has no tax line`);
  }
  const exclusive = sumOf(taxLines.filter((l) => l.inclusive !== true).map((l) => l.amount));
  const billed = sumOf(lines.filter((l) => l.type !== 'credit_applied' && !(l.type === 'tax' && l.inclusive === true)).map((l) => l.amount));
  if (invoice.total !== billed) problems.push(`${at}: total ${invoice.total}, its lines (but credit applied and inclusive tax) ${billed}`);
  if (invoice.subtotal + exclusive !== invoice.total) problems.push(`${at}: subtotal ${invoice.subtotal} + exclusive tax ${exclusive} is not the total ${invoice.total}`);
  if (invoice.total < 0) problems.push(`${at}: total ${invoice.total} below 0`);
  // Below 0 only when credit carried to the balance pays a charge's exclusive tax: then nothing is left to bill.
  const carried = invoice.lines.some((l: Json) => l.type === 'credit_to_balance');
  if (invoice.subtotal < 0 && !(carried && invoice.total === 0 && -invoice.subtotal <= exclusive)) {
    problems.push(`${at}: subtotal ${invoice.subtotal} below 0 with total ${invoice.total} and exclusive tax ${exclusive}`);
  }
  const discounts = -sumOf(lines.filter((l) => l.type === 'discount').map((l) => l.amount));
  if (invoice.discount !== discounts) problems.push(`${at}: discount ${invoice.discount}, its discount lines take off ${discounts}`);
  for (const l of lines.filter((l) => CHARGES.includes(l.type))) {
    if (netOf(l) < 0 || (l.discount ?? 0) > 0) problems.push(`${at}: charge ${l.itemKey} of ${l.amount} has discount ${l.discount}`);
  }
  return problems.length === 0 ? [] : [...problems, `${at}: ${linesText(invoice)}`];
};

/** Each credit note's facts (lines, tax by rate) as GET /v1/credit-notes/:id answers them, once: they are fixed when it is issued. */
const notesSeen = new Map<string, Json>();

/**
 * Tax credit notes give back, against the invoice: by rate, the ISSUED notes'
 * `taxes` never beyond the rate's tax on the invoice; by line, their lines'
 * `tax` never beyond the line's share.
 */
const creditedTaxProblems = (invoice: Json, notes: readonly Json[]): string[] => {
  const problems: string[] = [];
  const at = `${invoice.invoiceId} (notes ${notes.map((n) => n.creditNoteId).join(', ')})`;
  const byRate = new Map<string, number>();
  for (const t of notes.flatMap((n) => n.taxes)) byRate.set(t.taxRateId, (byRate.get(t.taxRateId) ?? 0) + t.amount);
  for (const [taxRateId, given] of byRate) {
    const line = invoice.lines.find((l: Json) => l.type === 'tax' && l.taxRateId === taxRateId);
    if (Math.abs(given) > Math.abs(line?.amount ?? 0)) problems.push(`${at}: notes give back ${given} of rate ${taxRateId}, the invoice taxed ${line?.amount ?? 'nothing'}`);
  }
  const byLine = new Map<string, number>();
  for (const l of notes.flatMap((n) => n.lines)) byLine.set(l.itemKey, (byLine.get(l.itemKey) ?? 0) + (l.tax ?? 0));
  for (const [itemKey, given] of byLine) {
    const line = invoice.lines.find((l: Json) => l.itemKey === itemKey);
    if (Math.abs(given) > Math.abs(line?.tax ?? 0)) problems.push(`${at}: notes give back ${given} of tax on ${itemKey}, whose share is ${line?.tax ?? 'nothing'}`);
  }
  return problems.length === 0 ? [] : [...problems, `${invoice.invoiceId}: ${linesText(invoice)}`, ...notes.map((n) => `${n.creditNoteId}: ${JSON.stringify({ lines: n.lines, taxes: n.taxes })}`)];
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
  // A note credits what the line billed after its discount.
  const overLine = await sql<{ invoice_id: string }>`
    select n.invoice_id from read.credit_notes n, jsonb_to_recordset(n.lines) as cl("itemKey" text, amount bigint)
      join read.invoice_lines l on l.item_key = cl."itemKey"
     where n.status = 'ISSUED' and l.invoice_id = n.invoice_id group by n.invoice_id, l.item_key, l.amount, l.discount
    having sum(cl.amount) > l.amount + coalesce(l.discount, 0)`.execute(db);
  expect(overLine.rows, 'credit notes beyond a line').toEqual([]);

  const invoices = await invoicesNow();
  expect(invoices.flatMap(invoiceProblems), 'invoice totals, tax and discounts from their lines').toEqual([]);
  // Notes as the read model lists them (billing's automatic ones too); their tax as the note itself says.
  const listed = await sql<{ credit_note_id: string; invoice_id: string; status: string; lines: Json }>`
    select credit_note_id, invoice_id, status, lines from read.credit_notes`.execute(db);
  const issued = new Map<string, Json[]>();
  const noteProblems: string[] = [];
  for (const row of listed.rows) {
    if (!notesSeen.has(row.credit_note_id)) notesSeen.set(row.credit_note_id, (await tried('GET', `/v1/credit-notes/${row.credit_note_id}`)).body.data);
    const note = notesSeen.get(row.credit_note_id)!;
    const at = `${row.credit_note_id} on ${row.invoice_id}`;
    if (!isDeepStrictEqual(note.lines, row.lines)) noteProblems.push(`${at}: lines ${JSON.stringify(note.lines)}, listed ${JSON.stringify(row.lines)}`);
    if (note.tax !== sumOf(note.taxes.map((t: Json) => t.amount)) || note.tax !== sumOf(note.lines.map((l: Json) => l.tax ?? 0))) {
      noteProblems.push(`${at}: tax ${note.tax}, by rate ${JSON.stringify(note.taxes)}, by line ${JSON.stringify(note.lines)}`);
    }
    const exclusive = sumOf(note.taxes.filter((t: Json) => !t.inclusive).map((t: Json) => t.amount));
    if (note.amount !== sumOf(note.lines.map((l: Json) => l.amount)) + exclusive) noteProblems.push(`${at}: amount ${note.amount}, lines and exclusive tax ${JSON.stringify(note)}`);
    if (row.status === 'ISSUED') issued.set(row.invoice_id, [...(issued.get(row.invoice_id) ?? []), note]);
  }
  for (const invoice of invoices) noteProblems.push(...creditedTaxProblems(invoice, issued.get(invoice.invoiceId) ?? []));
  expect(noteProblems, 'credit notes’ tax within their invoice, by rate and by line').toEqual([]);
};

describe('money adds up', () => {
  it('after every step of random sequences of subscriptions, changes, cancellations, credit, the clock, payments, voids, write-offs, credit notes and refunds', async () => {
    for (const rate of RATES) made.rates.push((await clock.post('/v1/tax-rates', rate)).taxRateId);
    for (const coupon of COUPONS) made.coupons.push((await clock.post('/v1/coupons', coupon)).couponId);
    for (const [i, amount] of [1_000, 3_100, 700].entries()) {
      const planId: string = (await clock.post('/v1/plans', { name: `P${i}`, pricingModel: 'per_unit', amount, currency: 'usd', interval: 'month' })).planId;
      const rate = PLAN_RATES[i];
      if (rate !== undefined) await clock.post(`/v1/plans/${planId}/tax-rate`, { taxRateId: made.rates[rate] });
      made.plans.push(planId);
    }
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 4, maxLength: 12 }), async (steps) => {
        for (const step of steps) {
          await apply(step);
          await check();
        }
      }),
      // MONEY_PROPERTY_SEED replays a failure's seed (on a fresh database: ids and timings differ, the steps do not).
      { numRuns: Number(process.env.MONEY_PROPERTY_RUNS ?? 15), endOnFailure: true, ...(process.env.MONEY_PROPERTY_SEED && { seed: Number(process.env.MONEY_PROPERTY_SEED) }) },
    );
    // The runs reached what they are about: invoices paid and not, credit notes, refunds.
    const { rows } = await sql<{ what: string; n: number }>`
      select 'invoices ' || status as what, count(*)::int as n from read.invoices group by status
      union all select 'credit notes', count(*)::int from read.credit_notes
      union all select 'credit notes giving back tax', count(*)::int from read.credit_notes where tax <> 0
      union all select 'invoices taxed', count(*)::int from read.invoices where tax <> 0
      union all select 'invoices discounted', count(*)::int from read.invoices where discount <> 0
      union all select 'refunds ' || status, count(*)::int from read.refunds group by status
      union all select 'charges ' || outcome, count(*)::int from payments.simulated_charges group by outcome`.execute(clock.system.db);
    console.log(rows.map((r) => `${r.what}: ${r.n}`).join(', '));
  }, 600_000);
});
