import { addMoney, compareInstants, money, MoneyError, parseInstant, subtractMoney, sumMoney, ValidationError, type Money } from '../shared/index.js';
import { applyDiscounts, applyTax, type AppliedDiscount } from './pricing.js';
import { ITEM_LINE_TYPES, type InvoiceCause, type InvoiceFacts, type InvoiceLine, type ItemLine } from './state.js';
import type { AppliedTaxRate } from './tax.js';

/** The key of the line that carries a negative sum to the customer's credit balance; no item may use it. */
export const CREDIT_TO_BALANCE_KEY = 'credit_to_balance';
export const CREDIT_TO_BALANCE_DESCRIPTION = "Unused time carried to the customer's credit balance";

const invalid = (message: string, field: string): never => {
  throw new ValidationError('invoice.invalid', message, { field });
};

/** The money module's refusals (unsafe amounts, overflow, another currency) as the invoice's own. */
const inMoney = <T>(field: string, sum: () => T): T => {
  try {
    return sum();
  } catch (err) {
    if (err instanceof MoneyError) invalid(err.message, field);
    throw err;
  }
};

/** The sign an item's amount may not have; 0 is allowed (a proration rounded to nothing). */
const SIGN = { plan_charge: 1, proration_debit: 1, proration_credit: -1, credit_applied: -1, credit_to_invoice: 1, credit_withheld: 1 } as const;

const checkLine = (line: ItemLine, at: string, currency: string): void => {
  if (!(ITEM_LINE_TYPES as readonly string[]).includes(line.type)) {
    invalid(`${at}: not a line type the billing engine bills: ${String(line.type)}`, `${at}.type`);
  }
  if (line.itemKey.trim() === '') invalid(`${at}: itemKey must not be empty`, `${at}.itemKey`);
  if (line.description.trim() === '') invalid(`${at}: description must not be empty`, `${at}.description`);
  if (!Number.isSafeInteger(line.quantity) || line.quantity < 1) invalid(`${at}: quantity must be a whole number ≥ 1`, `${at}.quantity`);
  if (line.currency !== currency) invalid(`${at} is in ${line.currency}, the invoice in ${currency}`, `${at}.currency`);
  inMoney(`${at}.unitAmount`, () => money(line.unitAmount, currency));
  inMoney(`${at}.amount`, () => money(line.amount, currency));
  if (line.amount * SIGN[line.type] < 0) invalid(`${at}: a ${line.type} line cannot be ${line.amount}`, `${at}.amount`);
  if (compareInstants(line.period.start, line.period.end) >= 0) invalid(`${at}: the period must end after it starts`, `${at}.period`);
  if (line.taxRateId !== undefined && (typeof line.taxRateId !== 'string' || line.taxRateId.trim() === '')) invalid(`${at}: taxRateId is a tax rate's id`, `${at}.taxRateId`);
  // The discount a proration credit gives back, of the charge it credits: never more than the credit.
  if (line.discount !== undefined && (line.type !== 'proration_credit' || !Number.isSafeInteger(line.discount) || line.discount < 0 || line.discount > -line.amount)) {
    invalid(`${at}: only a proration credit carries a discount, between 0 and what it credits`, `${at}.discount`);
  }
};

/** A copy with exactly the fields of a line, whatever else the caller's object held. */
const copyLine = <L extends InvoiceLine>({ type, itemKey, description, quantity, unitAmount, amount, currency, period, taxRateId, discount }: L): L =>
  ({
    type,
    itemKey,
    description,
    quantity,
    unitAmount,
    amount,
    currency,
    period: { start: period.start, end: period.end },
    ...(taxRateId !== undefined && { taxRateId }),
    ...(discount !== undefined && discount !== 0 && { discount }),
  }) as L;

const earliest = (instants: readonly string[]) => instants.reduce((a, b) => (compareInstants(b, a) < 0 ? b : a));
const latest = (instants: readonly string[]) => instants.reduce((a, b) => (compareInstants(b, a) > 0 ? b : a));

/** The line that brings a negative sum of items back to zero, over the span of the items' periods. */
const creditToBalance = (items: readonly ItemLine[], credit: Money): InvoiceLine<'credit_to_balance'> => ({
  type: 'credit_to_balance',
  itemKey: CREDIT_TO_BALANCE_KEY,
  description: CREDIT_TO_BALANCE_DESCRIPTION,
  quantity: 1,
  unitAmount: credit.amount,
  amount: credit.amount,
  currency: credit.currency,
  period: { start: earliest(items.map((line) => line.period.start)), end: latest(items.map((line) => line.period.end)) },
});

const sumOf = (lines: readonly InvoiceLine[], currency: string): Money =>
  inMoney('lines', () => sumMoney(lines.map((line) => money(line.amount, line.currency)), currency));

/**
 * The invoice's lines and totals from the billing engine's items, its
 * coupons and its tax rates: discounts first (src/domain/invoice/pricing.ts),
 * then tax on what is left, then, when all of it sums below zero, a
 * `credit_to_balance` line of the opposite amount, so that a total is never
 * negative and shows where the excess went.
 */
export const priceLines = (
  items: readonly ItemLine[],
  currency: string,
  discounts: readonly AppliedDiscount[] = [],
  rates: readonly AppliedTaxRate[] = [],
): Pick<InvoiceFacts, 'lines' | 'subtotal' | 'discount' | 'tax' | 'total' | 'creditApplied'> => {
  inMoney('currency', () => money(0, currency));
  if (items.length === 0) invalid('an invoice has at least one line', 'lines');
  items.forEach((line, index) => checkLine(line, `lines[${index}]`, currency));
  const copies = items.map(copyLine);
  const applied = copies.filter((line) => line.type === 'credit_applied');
  if (applied.length === copies.length) invalid('an invoice bills at least one item besides the credit applied to it', 'lines');
  const discounted = inMoney('discounts', () => applyDiscounts(copies.filter((line) => line.type !== 'credit_applied'), discounts, currency));
  const taxed = inMoney('taxRates', () => applyTax(discounted.items, rates, currency));
  const added = [...discounted.lines, ...taxed.lines.filter((line) => !line.inclusive)];
  const net = sumOf([...taxed.items, ...added], currency);
  const toBalance = net.amount < 0 ? [creditToBalance(taxed.items, subtractMoney(money(0, currency), net))] : [];
  const lines: InvoiceLine[] = [...taxed.items, ...applied, ...discounted.lines, ...taxed.lines, ...toBalance];
  const keys = new Set(lines.map((line) => line.itemKey));
  if (keys.size !== lines.length) invalid(`each line has its own itemKey (${CREDIT_TO_BALANCE_KEY}, discount: and tax: are the invoice's own)`, 'lines');
  const total = inMoney('lines', () => addMoney(net, sumOf(toBalance, currency))).amount;
  const exclusiveTax = sumOf(taxed.lines.filter((line) => !line.inclusive), currency).amount;
  const tax = sumOf(taxed.lines, currency).amount;
  const discount = 0 - sumOf(discounted.lines, currency).amount;
  const creditApplied = 0 - sumOf(applied, currency).amount;
  if (creditApplied > total) invalid(`the credit applied (${creditApplied}) is more than the invoice bills (${total})`, 'lines');
  return { lines, subtotal: total - exclusiveTax, discount, tax, total, creditApplied };
};

/**
 * An InvoiceCreated as this version reads it. Before `creditApplied` was
 * recorded, the credit applied was inside the subtotal and the total (they
 * were what was left to collect); now they are what the invoice bills, and the
 * credit is beside them: the amount due is total − credit applied − payments.
 */
export const currentFacts = <F extends Omit<InvoiceFacts, 'creditApplied'> & { creditApplied?: number }>(facts: F): F & { creditApplied: number } => {
  if (facts.creditApplied !== undefined) return facts as F & { creditApplied: number };
  const creditApplied = 0 - facts.lines.filter((line) => line.type === 'credit_applied').reduce((sum, line) => sum + line.amount, 0);
  return { ...facts, subtotal: facts.subtotal + creditApplied, total: facts.total + creditApplied, creditApplied };
};

export const checkCause = (cause: InvoiceCause): InvoiceCause => {
  if (cause.kind === 'period') {
    parseInstant(cause.periodStart, 'cause.periodStart');
    return { kind: 'period', periodStart: cause.periodStart };
  }
  if (cause.kind !== 'change' || cause.eventId.trim() === '') invalid('the cause is a period start or the id of the event that changed the subscription', 'cause');
  return { kind: 'change', eventId: cause.eventId };
};

const sameLine = (a: InvoiceLine, b: InvoiceLine): boolean =>
  a.type === b.type &&
  a.itemKey === b.itemKey &&
  a.description === b.description &&
  a.quantity === b.quantity &&
  a.unitAmount === b.unitAmount &&
  a.amount === b.amount &&
  a.currency === b.currency &&
  a.period.start === b.period.start &&
  a.period.end === b.period.end &&
  a.taxRateId === b.taxRateId &&
  // A charge's discount is the invoice's to compute; a credit's, the billing engine's to give.
  (a.type !== 'proration_credit' || (a.discount ?? 0) === (b.discount ?? 0));

const sameCause = (a: InvoiceCause, b: InvoiceCause): boolean =>
  a.kind === 'period' ? b.kind === 'period' && a.periodStart === b.periodStart : b.kind === 'change' && a.eventId === b.eventId;

/**
 * The same invoice asked for again: the same items (in any order, matched by
 * itemKey) for the same customer, subscription, currency and cause. When it
 * was asked and whether drafts are reviewed do not count.
 */
export const sameFacts = (
  state: InvoiceFacts,
  asked: Pick<InvoiceFacts, 'invoiceId' | 'customerId' | 'subscriptionId' | 'currency' | 'cause'> & { lines: readonly ItemLine[] },
): boolean => {
  const items = state.lines.filter((line) => line.type !== 'credit_to_balance' && line.type !== 'discount' && line.type !== 'tax');
  const byKey = new Map(items.map((line) => [line.itemKey, line]));
  return (
    state.invoiceId === asked.invoiceId &&
    state.customerId === asked.customerId &&
    state.subscriptionId === asked.subscriptionId &&
    state.currency === asked.currency &&
    sameCause(state.cause, asked.cause) &&
    asked.lines.length === items.length &&
    new Set(asked.lines.map((line) => line.itemKey)).size === items.length &&
    asked.lines.every((line) => {
      const stored = byKey.get(line.itemKey);
      return stored !== undefined && sameLine(stored, line);
    })
  );
};
