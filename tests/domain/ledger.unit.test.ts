import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  amountDueOf,
  creditableLines,
  invoiceDecider,
  issuedNotes,
  priceLines,
  type AppliedDiscount,
  type AppliedTaxRate,
  type InvoiceCommand,
  type InvoiceLine, type InvoiceEvent, type InvoiceState, type ItemLine } from '../../src/domain/invoice/index.js';
import { customerEntries, invoiceEntries, type LedgerEntry } from '../../src/domain/ledger/index.js';
import { AppError } from '../../src/domain/shared/index.js';
import { created, createdWith, finalized, history, invoiceId, line, MAR_1, NUMBER } from './invoiceFixtures.js';

/** Each account's balance (debits − credits) over some entries. */
const balances = (entries: readonly LedgerEntry[]) => {
  const sums: Record<string, number> = {};
  for (const e of entries) {
    sums[e.debit] = (sums[e.debit] ?? 0) + e.amount;
    sums[e.credit] = (sums[e.credit] ?? 0) - e.amount;
  }
  return sums;
};

/** Folds a history, posting each event against the state before it. */
const post = (events: readonly InvoiceEvent[]) => {
  let state: InvoiceState = invoiceDecider.initialState();
  const entries: LedgerEntry[] = [];
  for (const event of events) {
    entries.push(...invoiceEntries(event, state));
    state = invoiceDecider.evolve(state, event);
  }
  return { state, entries };
};

const AT = '2026-03-02T00:00:00.000Z';
const attempted: InvoiceEvent = {
  type: 'PaymentAttempted',
  data: { invoiceId, attempt: 1, paymentMethod: 'pm_ok', amount: 4_500, currency: 'eur', idempotencyKey: `${invoiceId}:attempt:1`, attemptedAt: AT },
};
const succeeded = (applied: number, overpaid: number): InvoiceEvent => ({
  type: 'PaymentSucceeded',
  data: { invoiceId, attempt: 1, chargeId: 'ch_1', amount: applied + overpaid, currency: 'eur', applied, overpaid, succeededAt: AT },
});

describe('Ledger posting rules', () => {
  it('posts nothing for a draft, and the finalised invoice as receivable against revenue', () => {
    expect(post([created]).entries).toEqual([]);
    const { entries } = post(history.OPEN);
    expect(entries).toEqual([{ kind: 'invoice_charge', debit: 'receivable', credit: 'revenue', amount: 4_500, currency: 'eur', customerId: 'cus_1', invoiceId }]);
  });

  it('takes the credit applied off receivable into clearing, where the customer’s application put it: both settle', () => {
    const credit: ItemLine = line({ type: 'credit_applied', itemKey: 'credit', quantity: 1, unitAmount: -1_000, amount: -1_000 });
    const { entries } = post([createdWith([line(), credit], 4_500, { creditApplied: 1_000 }), finalized]);
    const customer = customerEntries({
      type: 'CustomerCreditApplied',
      data: { customerId: 'cus_1', amount: 1_000, currency: 'eur', invoiceId, balanceAfter: 0, appliedAt: MAR_1 },
    });
    expect(balances([...entries, ...customer])).toEqual({ receivable: 3_500, revenue: -4_500, clearing: 0, customer_credit: 1_000 });
  });

  it('brings cash in against receivable, and an overpayment into clearing until the customer is granted it', () => {
    const paid = post([...history.OPEN, attempted, succeeded(4_500, 0)]);
    expect(balances(paid.entries)).toEqual({ receivable: 0, revenue: -4_500, cash: 4_500 });
    const late = post([...history.OPEN, attempted, { type: 'InvoiceVoided', data: { invoiceId, voidedAt: AT } }, succeeded(0, 4_500)]);
    const grant = customerEntries({
      type: 'CustomerCreditGranted',
      data: { customerId: 'cus_1', amount: 4_500, currency: 'eur', reason: 'overpayment', invoiceId, balanceAfter: 4_500, grantedAt: AT },
    });
    expect(balances([...late.entries, ...grant])).toEqual({ receivable: 0, revenue: 0, cash: 4_500, clearing: 0, customer_credit: -4_500 });
  });

  it('moves a write-off to written_off, and brings it back when it is paid after all', () => {
    expect(balances(post(history.UNCOLLECTIBLE).entries)).toEqual({ receivable: 0, revenue: -4_500, written_off: 4_500 });
    const paidLater = post([...history.UNCOLLECTIBLE, attempted, succeeded(4_500, 0)]);
    expect(balances(paidLater.entries)).toEqual({ receivable: 0, revenue: -4_500, written_off: 0, cash: 4_500 });
  });

  it('grants by hand out of goodwill', () => {
    const grant = customerEntries({
      type: 'CustomerCreditGranted',
      data: { customerId: 'cus_1', amount: 500, currency: 'eur', reason: 'goodwill', balanceAfter: 500, grantedAt: AT },
    });
    expect(grant).toEqual([{ kind: 'credit_granted', debit: 'goodwill', credit: 'customer_credit', amount: 500, currency: 'eur', customerId: 'cus_1', invoiceId: null }]);
  });
});

/** What may happen to an invoice, turned into a command against its state at that moment (the next attempt, the last attempt's result). */
type Step = 'finalize' | 'void' | 'markUncollectible' | 'markPaid' | 'attempt' | 'succeed' | 'fail' | Readonly<{ note: 'amount' | 'lines' | 'void'; share: number; split: number }>;
/** Weighted so that long stories (failures, a write-off, a payment after it) are common; a void ends most. */
const stepArb = fc.oneof(
  { arbitrary: fc.constant<Step>('finalize'), weight: 2 },
  { arbitrary: fc.constant<Step>('void'), weight: 1 },
  { arbitrary: fc.constant<Step>('markUncollectible'), weight: 2 },
  { arbitrary: fc.constant<Step>('markPaid'), weight: 1 },
  { arbitrary: fc.constant<Step>('attempt'), weight: 4 },
  { arbitrary: fc.constant<Step>('succeed'), weight: 2 },
  { arbitrary: fc.constant<Step>('fail'), weight: 4 },
  {
    arbitrary: fc.record({ note: fc.constantFrom('amount' as const, 'lines' as const, 'void' as const), share: fc.double({ min: 0, max: 1.2, noNaN: true }), split: fc.nat({ max: 3 }) }),
    weight: 4,
  },
);
const POLICY = { retryDays: [1, 3], graceDays: 5 };
/** A credit note for a share of what is left to credit, its post-payment part all to one place (or, split 3, wrongly split). */
const noteOf = (step: Extract<Step, { note: string }>, state: InvoiceState, n: number): InvoiceCommand => {
  if (state.status === 'NONE') return { type: 'VoidCreditNote', data: { creditNoteId: 'none', now: AT } };
  if (step.note === 'void') {
    const notes = state.creditNotes ?? [];
    return { type: 'VoidCreditNote', data: { creditNoteId: notes[Math.floor(step.share * notes.length)]?.creditNoteId ?? 'none', now: AT } };
  }
  const open = creditableLines(state);
  const left = open.reduce((sum, o) => sum + o.left, 0);
  const amount = Math.max(1, Math.round(left * step.share));
  const post = Math.max(0, amount - amountDueOf(state));
  const split = [{ refund: post }, { credit: post }, { outOfBand: post }, { credit: post + 1 }][step.split]!;
  const asked = step.note === 'amount' ? { amount } : { lines: open.map((o) => ({ itemKey: o.line.itemKey, amount: Math.max(1, Math.round(o.left * step.share)) })) };
  return { type: 'IssueCreditNote', data: { creditNoteId: `cn_${n}`, reason: 'other', ...asked, ...split, now: AT } };
};

const commandOf = (step: Step, state: InvoiceState, n: number): InvoiceCommand => {
  const made = state.status === 'NONE' ? 0 : (state.collection?.payments.length ?? 0);
  if (typeof step !== 'string') return noteOf(step, state, n);
  switch (step) {
    case 'finalize':
      return { type: 'FinalizeInvoice', data: { number: NUMBER, now: AT } };
    case 'void':
      return { type: 'VoidInvoice', data: { now: AT } };
    case 'markUncollectible':
      return { type: 'MarkUncollectible', data: { now: AT } };
    case 'markPaid':
      return { type: 'MarkInvoicePaid', data: { now: AT } };
    case 'attempt':
      return { type: 'AttemptPayment', data: { attempt: made + 1, paymentMethod: 'pm_x', dunning: POLICY, now: AT } };
    case 'succeed':
    case 'fail':
      return {
        type: 'RecordPaymentResult',
        data: {
          attempt: Math.max(made, 1),
          result: step === 'succeed' ? { outcome: 'succeeded', chargeId: `ch_${made}` } : { outcome: 'failed', code: 'x', hard: false },
          dunning: POLICY,
          now: AT,
        },
      };
  }
};

const RATES: readonly (AppliedTaxRate | undefined)[] = [
  undefined,
  { taxRateId: 'txr_vat', displayName: 'VAT', jurisdiction: 'FR', percentage: '20', inclusive: false },
  { taxRateId: 'txr_gst', displayName: 'GST', jurisdiction: 'AU', percentage: '10', inclusive: true },
  { taxRateId: 'txr_tx', displayName: 'Sales tax', jurisdiction: 'US-TX', percentage: '8.25', inclusive: false },
];

/** Lines of a charge and a credit (the credit giving back some discount), maybe credit applied, maybe a coupon, maybe a rate. */
const pricedArb = fc
  .tuple(
    fc.integer({ min: 0, max: 10_000 }),
    fc.integer({ min: 0, max: 12_000 }),
    fc.integer({ min: 0, max: 10_000 }),
    fc.constantFrom(...RATES),
    fc.option(fc.integer({ min: 1, max: 10_000 })),
    fc.integer({ min: 0, max: 100 }),
  )
  .map(([charge, credit, applied, rate, percentOff, givenBack]) => {
    const taxed = rate === undefined ? {} : { taxRateId: rate.taxRateId };
    const discount = Math.floor((credit * givenBack) / 400);
    const items: ItemLine[] = [
      line({ amount: charge, ...taxed }),
      line({ type: 'proration_credit', itemKey: 'credit', amount: -credit, ...taxed, ...(discount > 0 && { discount }) }),
    ];
    const discounts: AppliedDiscount[] = percentOff === null ? [] : [{ couponId: 'cpn', redemptionId: 'red', percentOff: (percentOff / 100).toFixed(2), itemKeys: [items[0]!.itemKey] }];
    const taxRates = rate === undefined ? [] : [rate];
    const billed = priceLines(items, 'eur', discounts, taxRates).total;
    const apply = Math.min(applied, billed);
    return { lines: apply > 0 ? [...items, line({ type: 'credit_applied', itemKey: 'applied', amount: -apply })] : items, discounts, taxRates };
  });

describe('Ledger posting rules, over any history an invoice can have', () => {
  it('balance, and receivable, written_off and cash say what the invoice says', () => {
    fc.assert(
      fc.property(pricedArb, fc.array(stepArb, { minLength: 4, maxLength: 30 }), ({ lines, discounts, taxRates }, steps) => {
        let state = invoiceDecider.initialState();
        const events: InvoiceEvent[] = [];
        const decide = (command: InvoiceCommand) => {
          try {
            const decided = invoiceDecider.decide(command, state);
            events.push(...decided);
            state = decided.reduce(invoiceDecider.evolve, state);
          } catch (err) {
            if (!(err instanceof AppError)) throw err;
          }
        };
        decide({ type: 'CreateInvoice', data: { invoiceId, customerId: 'cus_1', subscriptionId: 'sub_1', currency: 'eur', lines, discounts, taxRates, cause: { kind: 'period', periodStart: MAR_1 }, draft: false, now: MAR_1 } });
        steps.forEach((step, n) => decide(commandOf(step, state, n)));
        const posted = post(events);
        const b = balances(posted.entries);
        const charged = events.reduce((sum, e) => sum + (e.type === 'PaymentSucceeded' ? e.data.amount : 0), 0);
        expect(Object.values(b).reduce((s, v) => s + v, 0)).toBe(0);
        expect(b.receivable ?? 0).toBe(state.status === 'OPEN' ? amountDueOf(state) : 0);
        expect(b.written_off ?? 0).toBe(state.status === 'UNCOLLECTIBLE' ? amountDueOf(state) : 0);
        expect(b.cash ?? 0).toBe(charged);
        for (const e of posted.entries) expect(Number.isSafeInteger(e.amount) && e.amount > 0).toBe(true);
        if (state.status === 'NONE') return;
        expect(amountDueOf(state)).toBeGreaterThanOrEqual(0);
        // Credit notes stay within the invoice: per line, and in all.
        const notes = issuedNotes(state);
        expect(notes.reduce((sum, n) => sum + n.amount, 0)).toBeLessThanOrEqual(state.total);
        for (const l of state.lines) {
          const credited = notes.flatMap((n) => n.lines).filter((c) => c.itemKey === l.itemKey);
          expect(credited.reduce((sum, c) => sum + c.amount, 0)).toBeLessThanOrEqual(Math.max(l.amount + (l.discount ?? 0), 0));
          // Per line, and so per rate: never more tax given back than the line's share.
          if (l.tax !== undefined) expect(Math.abs(credited.reduce((sum, c) => sum + (c.tax ?? 0), 0))).toBeLessThanOrEqual(Math.abs(l.tax));
        }
        // Tax payable is the tax billed less what credit notes gave back (nothing once voided, or while a draft).
        const taxKept = state.status === 'DRAFT' || state.status === 'VOID' ? 0 : state.tax - notes.reduce((sum, n) => sum + (n.tax ?? 0), 0);
        expect(0 - (b.tax_payable ?? 0)).toBe(taxKept);
        expect(notes.reduce((sum, n) => sum + n.refund, 0)).toBeLessThanOrEqual(state.paid);
        // A voided invoice leaves nothing but the money that came in after it: every other account is back at 0.
        if (state.status === 'VOID') for (const [account, balance] of Object.entries(b)) if (!['cash', 'clearing'].includes(account)) expect(balance, account).toBe(0);
        // Revenue less discounts is what was billed, net of tax, less what credit notes gave back net of tax.
        if (state.status !== 'DRAFT' && state.status !== 'VOID') {
          const lines = state.lines;
          const sumOf = (keep: (l: InvoiceLine) => boolean) => lines.filter(keep).reduce((sum, l) => sum + l.amount, 0);
          const items = sumOf((l) => !['credit_applied', 'credit_to_balance', 'tax', 'discount'].includes(l.type));
          const billed = items + sumOf((l) => l.type === 'discount') - sumOf((l) => l.type === 'tax' && l.inclusive === true);
          const net = 0 - (b.revenue ?? 0) - (b.discounts ?? 0);
          expect(net).toBe(billed - notes.reduce((sum, n) => sum + n.amount - (n.tax ?? 0), 0));
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
