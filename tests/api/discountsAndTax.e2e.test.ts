import { beforeAll, describe, expect, it } from 'vitest';
import { onSimulatedClock } from './simulatedClock.js';
import type { Json } from './support.js';

/**
 * Coupons and tax rates on invoices over HTTP, on a test clock from May 1,
 * 2037 (a 31-day month): the subscription's coupon before the customer's,
 * the customer's rate over the plan's, and a cancellation that gives back
 * what was billed after the discount, with its tax.
 */
const clock = onSimulatedClock('2037-05-01T09:00:00.000Z', 'dt-manager@example.com');

let plan: string;
let vat: string;
let gst: string;

const invoice = (invoiceId: string) => clock.get(`/v1/invoices/${invoiceId}`);
const settle = () => clock.post('/v1/test/clock/advance', { days: 0 });
const linesOf = (inv: Json) => inv.lines.map((l: Json) => [l.type, l.amount]);

/** A paying customer with a subscription to the plan, not billed yet. */
const customerAndSubscription = async (name: string) => {
  const customer = await clock.post('/v1/customers', { name, email: `ap@${name}.example` });
  await clock.post(`/v1/customers/${customer.customerId}/payment-method`, { paymentMethod: 'pm_ok' });
  const contract = await clock.post('/v1/contracts', { customerId: customer.customerId, title: name });
  await clock.post(`/v1/contracts/${contract.contractId}/activate`);
  const subscription = await clock.post('/v1/subscriptions', { contractId: contract.contractId, planId: plan });
  return { customerId: customer.customerId as string, subscriptionId: subscription.subscriptionId as string };
};

beforeAll(async () => {
  vat = (await clock.post('/v1/tax-rates', { displayName: 'VAT', jurisdiction: 'DE', percentage: '19', inclusive: false })).taxRateId;
  gst = (await clock.post('/v1/tax-rates', { displayName: 'GST', jurisdiction: 'AU', percentage: '10', inclusive: true })).taxRateId;
  plan = (await clock.post('/v1/plans', { name: 'Team', pricingModel: 'flat_rate', amount: 3_100, currency: 'usd', interval: 'month' })).planId;
  await clock.post(`/v1/plans/${plan}/tax-rate`, { taxRateId: vat });
});

describe('coupons and tax on invoices', () => {
  it("applies the subscription's coupon, then the customer's on what is left, and taxes what remains at the plan's rate", async () => {
    const { customerId, subscriptionId } = await customerAndSubscription('both-coupons');
    const half = (await clock.post('/v1/coupons', { name: 'Half', percentOff: '50', duration: 'forever' })).couponId;
    const fiver = (await clock.post('/v1/coupons', { name: 'Fiver', amountOff: 500, currency: 'usd', duration: 'once' })).couponId;
    await clock.post(`/v1/customers/${customerId}/discount`, { couponId: fiver });
    await clock.post(`/v1/subscriptions/${subscriptionId}/discount`, { couponId: half });
    const billed = await settle();
    const invoiceId = billed.invoices.find((i: Json) => i.subscriptionId === subscriptionId).invoiceId;
    const inv = await invoice(invoiceId);
    // 3100 − 1550 (half) − 500 (then the fiver) = 1050; 19% of it = 199.5 → 200 (half-even).
    expect(linesOf(inv)).toEqual([
      ['plan_charge', 3_100],
      ['discount', -1_550],
      ['discount', -500],
      ['tax', 200],
    ]);
    expect(inv).toMatchObject({ subtotal: 1_050, discount: 2_050, tax: 200, total: 1_250 });
    expect(inv.lines[0]).toMatchObject({ taxRateId: vat, discount: -2_050, tax: 200 });
    expect(inv.lines[3]).toMatchObject({ taxRateId: vat, inclusive: false });
    // The read model shows the same invoice.
    const inList = (await clock.get(`/v1/invoices?subscriptionId=${subscriptionId}`))[0];
    expect(inList.lines).toEqual(inv.lines);
    expect(inList).toMatchObject({ discount: 2_050, tax: 200, total: 1_250 });

    // A credit note of 525 (half of what the charge bills after its discounts) gives back half its tax: 100.
    await expect.poll(async () => (await invoice(invoiceId)).status, { timeout: 15_000 }).toBe('PAID');
    const note = await clock.post(`/v1/invoices/${invoiceId}/credit-notes`, { reason: 'other', lines: [{ itemKey: inv.lines[0].itemKey, amount: 525 }], refund: 625 });
    expect(note).toMatchObject({ amount: 625, tax: 100, taxes: [{ taxRateId: vat, inclusive: false, amount: 100 }], refundTaxes: [{ taxRateId: vat, amount: 100 }] });
    expect(note.lines).toEqual([{ itemKey: inv.lines[0].itemKey, amount: 525, tax: 100 }]);
    // The numbered document is recorded by a process; the list shows it as the note was answered, tax and all.
    const listed = async () => (await clock.get(`/v1/credit-notes?invoiceId=${invoiceId}`)).map(({ revision: _r, ...n }: Json) => n);
    const { revision: _r, ...answered } = note;
    await expect.poll(listed, { timeout: 15_000 }).toEqual([answered]);

    // The next period: the once coupon is spent, the forever one goes on; 19% of 1550 = 294.5 → 294 (half-even).
    const next = await clock.post('/v1/test/clock/advance', { months: 1 });
    const second = await invoice(next.invoices.find((i: Json) => i.subscriptionId === subscriptionId).invoiceId);
    expect(linesOf(second)).toEqual([
      ['plan_charge', 3_100],
      ['discount', -1_550],
      ['tax', 294],
    ]);
  });

  it('discounts an invoice once when the same coupon is on the subscription and on its customer', async () => {
    const { customerId, subscriptionId } = await customerAndSubscription('same-twice');
    const tenth = (await clock.post('/v1/coupons', { name: 'Tenth', percentOff: '10', duration: 'forever' })).couponId;
    await clock.post(`/v1/customers/${customerId}/discount`, { couponId: tenth });
    await clock.post(`/v1/subscriptions/${subscriptionId}/discount`, { couponId: tenth });
    const billed = await settle();
    const inv = await invoice(billed.invoices.find((i: Json) => i.subscriptionId === subscriptionId).invoiceId);
    expect(inv.lines.filter((l: Json) => l.type === 'discount').map((l: Json) => l.amount)).toEqual([-310]);
  });

  it("taxes at the customer's rate over the plan's: an inclusive rate's tax is inside the total", async () => {
    const { customerId, subscriptionId } = await customerAndSubscription('own-rate');
    await clock.post(`/v1/customers/${customerId}/tax-rate`, { taxRateId: gst });
    const billed = await settle();
    const inv = await invoice(billed.invoices.find((i: Json) => i.subscriptionId === subscriptionId).invoiceId);
    // 3100 × 10 / 110 = 281.8 → 282, inside the 3100.
    expect(linesOf(inv)).toEqual([
      ['plan_charge', 3_100],
      ['tax', 282],
    ]);
    expect(inv).toMatchObject({ tax: 282, subtotal: 3_100, total: 3_100 });
    expect(inv.lines[1]).toMatchObject({ taxRateId: gst, inclusive: true });
  });

  it('gives back, on a cancellation, the unused part of what was billed after the discount, with its tax, and leaves the ledger reconciled', async () => {
    const { customerId, subscriptionId } = await customerAndSubscription('canceled');
    const quarter = (await clock.post('/v1/coupons', { name: 'Quarter', percentOff: '25', duration: 'forever' })).couponId;
    await clock.post(`/v1/subscriptions/${subscriptionId}/discount`, { couponId: quarter });
    const billed = await settle();
    const first = await invoice(billed.invoices.find((i: Json) => i.subscriptionId === subscriptionId).invoiceId);
    await expect.poll(async () => (await invoice(first.invoiceId)).status, { timeout: 15_000 }).toBe('PAID');
    // 3100 − 775 = 2325, + 19% (441.75 → 442) = 2767.

    await clock.post('/v1/test/clock/advance', { days: 10 });
    await clock.post(`/v1/subscriptions/${subscriptionId}/cancel`, { prorate: true });
    const after = await settle();
    const change = await invoice(after.invoices.find((i: Json) => i.subscriptionId === subscriptionId).invoiceId);
    const credit = change.lines.find((l: Json) => l.type === 'proration_credit');
    // The charge's period started on the last advance's day; whatever the days left, the credit gives back their share of the
    // 775 discount, and is taxed at the charge's rate.
    expect(credit).toMatchObject({ taxRateId: vat, discount: expect.any(Number) });
    expect(credit.discount).toBe(Math.round((775 * -credit.amount) / 3_100));
    expect(change.lines.find((l: Json) => l.itemKey === 'discount:given_back').amount).toBe(credit.discount);
    const tax = change.lines.find((l: Json) => l.type === 'tax');
    expect(tax.amount).toBe(Math.round(((credit.amount + credit.discount) * 19) / 100));
    // What the customer gets back is what it paid for that time, tax included, on its balance.
    const net = -(credit.amount + credit.discount) - tax.amount;
    await expect.poll(async () => (await clock.get(`/v1/customers/${customerId}`)).credit, { timeout: 15_000 }).toEqual({ usd: net });

    const head = (await clock.system.store.headPosition())!;
    const reconciliation = await clock.api.call('GET', '/v1/ledger/reconciliation', { token: clock.manager, headers: { 'X-Min-Position': `${head.commit}/${head.prepare}` } });
    expect(reconciliation.body.data.checks.filter((c: Json) => !c.ok)).toEqual([]);
    expect(reconciliation.body.data.ok).toBe(true);
  });

  it('gives nothing back, discount included, for time on an invoice voided: revenue and discounts come back to 0', async () => {
    const customer = await clock.post('/v1/customers', { name: 'voided-first', email: 'ap@voided-first.example' });
    const contract = await clock.post('/v1/contracts', { customerId: customer.customerId, title: 'voided' });
    await clock.post(`/v1/contracts/${contract.contractId}/activate`);
    const { subscriptionId } = await clock.post('/v1/subscriptions', { contractId: contract.contractId, planId: plan });
    const quarter = (await clock.post('/v1/coupons', { name: 'Quarter again', percentOff: '25', duration: 'forever' })).couponId;
    await clock.post(`/v1/subscriptions/${subscriptionId}/discount`, { couponId: quarter });
    const billed = await settle();
    const first = billed.invoices.find((i: Json) => i.subscriptionId === subscriptionId).invoiceId;
    await clock.post(`/v1/invoices/${first}/void`);
    await clock.post('/v1/test/clock/advance', { days: 10 });
    await clock.post(`/v1/subscriptions/${subscriptionId}/cancel`, { prorate: true });
    const after = await settle();
    const change = await invoice(after.invoices.find((i: Json) => i.subscriptionId === subscriptionId).invoiceId);
    const credit = change.lines.find((l: Json) => l.type === 'proration_credit');
    expect(credit.discount).toBeUndefined();
    expect(change.lines.find((l: Json) => l.type === 'credit_withheld').amount).toBe(-credit.amount);
    expect(change.total).toBe(0);
    const head = (await clock.system.store.headPosition())!;
    const ledger = await clock.api.call('GET', `/v1/ledger/customers/${customer.customerId}`, { token: clock.manager, headers: { 'X-Min-Position': `${head.commit}/${head.prepare}` } });
    const balances = Object.fromEntries(ledger.body.data.accounts.map((a: Json) => [a.account, a.balance]));
    expect([balances.revenue ?? 0, balances.discounts ?? 0, balances.tax_payable ?? 0]).toEqual([0, 0, 0]);
  });
});
