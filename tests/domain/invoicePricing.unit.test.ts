import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { invoiceDecider, type AppliedDiscount, type AppliedTaxRate, type InvoiceEvent, type InvoiceState } from '../../src/domain/invoice/index.js';
import { ValidationError } from '../../src/domain/shared/index.js';
import { APR_1, create, FINALIZED_AT, LATER, line, MAR_1, MAR_16, NUMBER, spec } from './invoiceFixtures.js';

/**
 * Coupons and tax on an invoice: the discount line per coupon, the tax line
 * per rate, each line's share, and credit notes that give back tax exactly.
 */
const VAT: AppliedTaxRate = { taxRateId: 'txr_vat', displayName: 'VAT', jurisdiction: 'FR', percentage: '20', inclusive: false };
const GST: AppliedTaxRate = { taxRateId: 'txr_gst', displayName: 'GST', jurisdiction: 'AU', percentage: '10', inclusive: true };
const TWENTY_OFF: AppliedDiscount = { couponId: 'cpn_a', redemptionId: 'red_a', percentOff: '20', itemKeys: ['sub_1:plan_charge:2026-03-01'] };

const createdState = (overrides: Parameters<typeof create>[0]): InvoiceState => {
  const events = invoiceDecider.decide(create(overrides), invoiceDecider.initialState());
  return events.reduce(invoiceDecider.evolve, invoiceDecider.initialState());
};
const createdEvent = (overrides: Parameters<typeof create>[0]) => {
  const [event] = invoiceDecider.decide(create(overrides), invoiceDecider.initialState());
  if (event?.type !== 'InvoiceCreated') throw new Error('no InvoiceCreated');
  return event.data;
};

describe('Invoice pricing: coupons', () => {
  it('given nothing, when an invoice of 4500 is created with 20% off, then a discount line of −900 and a total of 3600', () => {
    const data = createdEvent({ discounts: [TWENTY_OFF] });
    expect(data.lines.find((l) => l.type === 'discount')).toMatchObject({ itemKey: 'discount:red_a', amount: -900, couponId: 'cpn_a' });
    expect(data.lines[0]).toMatchObject({ amount: 4_500, discount: -900 });
    expect(data).toMatchObject({ discount: 900, subtotal: 3_600, total: 3_600, tax: 0 });
  });

  it("then the customer's coupon applies to what the subscription's left: 20% off, then 1000 off", () => {
    const amountOff: AppliedDiscount = { couponId: 'cpn_b', redemptionId: 'red_b', amountOff: 1_000, currency: 'eur', itemKeys: TWENTY_OFF.itemKeys };
    const data = createdEvent({ discounts: [TWENTY_OFF, amountOff] });
    expect(data.lines.filter((l) => l.type === 'discount').map((l) => l.amount)).toEqual([-900, -1_000]);
    expect(data.total).toBe(2_600);
  });

  it('then an amount off never takes a total below 0', () => {
    const huge: AppliedDiscount = { couponId: 'cpn_b', redemptionId: 'red_b', amountOff: 99_999, currency: 'eur', itemKeys: TWENTY_OFF.itemKeys };
    expect(createdEvent({ discounts: [huge] })).toMatchObject({ discount: 4_500, total: 0 });
  });

  it('then items outside the coupon are not discounted, and an amount off in another currency is refused', () => {
    const elsewhere = { ...TWENTY_OFF, itemKeys: ['another'] };
    expect(createdEvent({ discounts: [elsewhere] }).total).toBe(4_500);
    spec
      .given([])
      .when(create({ discounts: [{ couponId: 'c', redemptionId: 'r', amountOff: 100, currency: 'usd', itemKeys: [] }] }))
      .then({ error: ValidationError, reason: 'invoice.invalid' });
  });

  it("then an amount off is for a period: a change's debit takes off only what its credit gave back, never the amount again", () => {
    const credit = line({ type: 'proration_credit', itemKey: 'credit:1', amount: -1_500, unitAmount: 3_000, discount: 500, period: { start: MAR_16, end: APR_1 } });
    const debit = line({ type: 'proration_debit', itemKey: 'debit:1', amount: 3_000, unitAmount: 3_000, quantity: 2, period: { start: MAR_16, end: APR_1 } });
    const thousandOff: AppliedDiscount = { couponId: 'cpn_k', redemptionId: 'red_k', amountOff: 1_000, currency: 'eur', itemKeys: ['debit:1'] };
    const data = createdEvent({ lines: [credit, debit], discounts: [thousandOff] });
    expect(data.lines.find((l) => l.itemKey === 'debit:1')?.discount).toBe(-500);
    // −1500 + 500 given back + 3000 − 500: the period's 1000 off, taken once in all.
    expect(data.total).toBe(1_500);
  });

  it('then a proration credit gives back the discount of the time it credits, on a line of its own', () => {
    const credit = line({ type: 'proration_credit', itemKey: 'credit:1', amount: -2_000, unitAmount: 4_500, discount: 400, period: { start: MAR_16, end: APR_1 } });
    const data = createdEvent({ lines: [line(), credit] });
    expect(data.lines.find((l) => l.itemKey === 'discount:given_back')?.amount).toBe(400);
    expect(data.total).toBe(4_500 - 2_000 + 400);
    spec
      .given([])
      .when(create({ lines: [line({ discount: 10 })] }))
      .then({ error: ValidationError, reason: 'invoice.invalid' });
  });
});

describe('Invoice pricing: tax', () => {
  it('given an exclusive 20% rate, then tax is on the discounted amount and added to the total', () => {
    const data = createdEvent({ lines: [line({ taxRateId: 'txr_vat' })], discounts: [TWENTY_OFF], taxRates: [VAT] });
    expect(data.lines.find((l) => l.type === 'tax')).toMatchObject({ itemKey: 'tax:txr_vat', amount: 720, inclusive: false, taxRateId: 'txr_vat' });
    expect(data).toMatchObject({ subtotal: 3_600, tax: 720, total: 4_320, taxRates: [VAT] });
  });

  it('given an inclusive 10% rate, then the tax is the part of the amount that is tax, and the total does not grow', () => {
    const data = createdEvent({ lines: [line({ taxRateId: 'txr_gst' })], taxRates: [GST] });
    // 4500 × 10 / 110 = 409.09 → 409
    expect(data).toMatchObject({ tax: 409, total: 4_500, subtotal: 4_500 });
    expect(data.lines[0]).toMatchObject({ tax: 409 });
  });

  it('then tax is rounded once per rate and allocated back to the lines, which sum to it exactly', () => {
    const lines = [1, 2, 3].map((n) => line({ itemKey: `k${n}`, amount: 333, unitAmount: 333, quantity: 1, taxRateId: 'txr_vat' }));
    const data = createdEvent({ lines, taxRates: [VAT] });
    // 999 × 20% = 199.8 → 200, spread 67 + 67 + 66: not 3 × round(66.6) = 201.
    expect(data.tax).toBe(200);
    expect(data.lines.filter((l) => l.type === 'plan_charge').map((l) => l.tax)).toEqual([67, 67, 66]);
  });

  it('then a line naming a rate not given with the invoice is refused', () => {
    spec
      .given([])
      .when(create({ lines: [line({ taxRateId: 'txr_other' })], taxRates: [VAT] }))
      .then({ error: ValidationError, reason: 'invoice.invalid' });
  });
});

describe('Credit notes on a taxed invoice', () => {
  const finalize = (state: InvoiceState): InvoiceState =>
    invoiceDecider.decide({ type: 'FinalizeInvoice', data: { number: NUMBER, now: FINALIZED_AT } }, state).reduce(invoiceDecider.evolve, state);
  const issue = (state: InvoiceState, id: string, amount: number): { state: InvoiceState; events: readonly InvoiceEvent[] } => {
    const events = invoiceDecider.decide(
      { type: 'IssueCreditNote', data: { creditNoteId: id, reason: 'other', lines: [{ itemKey: 'sub_1:plan_charge:2026-03-01', amount }], now: LATER } },
      state,
    );
    return { state: events.reduce(invoiceDecider.evolve, state), events };
  };

  it('then a note adds the exclusive tax of what it credits, and the notes of a line give back its tax exactly, the last taking the remaining cents', () => {
    let state = finalize(createdState({ lines: [line({ amount: 1_001, unitAmount: 1_001, quantity: 1, taxRateId: 'txr_vat' })], taxRates: [VAT], now: MAR_1 }));
    // 1001 × 20% = 200.2 → 200 of tax, 1201 in all.
    const taxes: number[] = [];
    for (const [k, amount] of [333, 333, 335].entries()) {
      const result = issue(state, `cn_${k}`, amount);
      state = result.state;
      const noted = result.events[0]!;
      if (noted.type !== 'InvoiceCreditNoted') throw new Error('not noted');
      expect(noted.data.amount).toBe(amount + noted.data.tax!);
      taxes.push(noted.data.tax!);
    }
    expect(taxes.reduce((a, b) => a + b, 0)).toBe(200);
    expect(taxes).toEqual([67, 66, 67]);
    expect(state.status).toBe('PAID');
  });

  it('property: whatever the split, the notes of a line never give back more than its tax, and exactly all of it once the line is credited', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 6 }), (amount, weights) => {
        let state = finalize(createdState({ lines: [line({ amount, unitAmount: amount, quantity: 1, taxRateId: 'txr_vat' })], taxRates: [VAT], now: MAR_1 }));
        const lineTax = state.status === 'NONE' ? 0 : state.tax;
        const total = weights.reduce((a, b) => a + b, 0);
        let given = 0;
        let left = amount;
        let tax = 0;
        for (const [k, w] of weights.entries()) {
          const share = k === weights.length - 1 ? left : Math.min(left, Math.floor((amount * w) / total));
          if (share === 0) continue;
          const result = issue(state, `cn_${k}`, share);
          state = result.state;
          const noted = result.events[0]!;
          if (noted.type !== 'InvoiceCreditNoted') throw new Error('not noted');
          tax += noted.data.tax!;
          given += share;
          left -= share;
          expect(Math.abs(tax)).toBeLessThanOrEqual(Math.abs(lineTax));
        }
        expect(given).toBe(amount);
        expect(tax).toBe(lineTax);
      }),
      { numRuns: 200 },
    );
  });
});
