import { allocate, ConflictError, NotFoundError, prorate, ValidationError } from '../shared/index.js';
import type { ChargeRefund, CreditedLine, CreditedTax, CreditNoteCommand, CreditNoteEvent, CreditNoteRecord, IssueCreditNote } from './creditNoteTypes.js';
import { CREDIT_NOTE_REASONS } from './creditNoteTypes.js';
import type { InvoicePaid } from './events.js';
import { amountDueOf, attemptInFlight, type ExistingInvoice, type InvoiceLine, type InvoiceState } from './state.js';

/** Lines a credit note may credit: what the invoice charged for. */
const CREDITABLE = new Set<string>(['plan_charge', 'proration_debit']);

const invalid = (message: string, field: string) => new ValidationError('credit_note.invalid', message, { field });
const whole = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

export const issuedNotes = (invoice: ExistingInvoice): readonly CreditNoteRecord[] => (invoice.creditNotes ?? []).filter((n) => n.status === 'ISSUED');

/** What a line bills after its discount: what a credit note may give back of it, before tax. */
const netOf = (line: InvoiceLine): number => line.amount + (line.discount ?? 0);

export type CreditableLine = { line: InvoiceLine; left: number; taxCredited: number };

/** What is left to credit of each creditable line (after its discount, before tax), in the invoice's order, and the tax credited on it so far. */
export const creditableLines = (invoice: ExistingInvoice): CreditableLine[] => {
  const credited = new Map<string, { amount: number; tax: number }>();
  for (const note of issuedNotes(invoice)) {
    for (const l of note.lines) {
      const sum = credited.get(l.itemKey) ?? { amount: 0, tax: 0 };
      credited.set(l.itemKey, { amount: sum.amount + l.amount, tax: sum.tax + (l.tax ?? 0) });
    }
  }
  return invoice.lines
    .filter((l) => CREDITABLE.has(l.type) && netOf(l) > 0)
    .map((line) => ({ line, left: netOf(line) - (credited.get(line.itemKey)?.amount ?? 0), taxCredited: credited.get(line.itemKey)?.tax ?? 0 }));
};

/**
 * The tax a credit of `amount` more gives back on a line: what brings the tax
 * given back on it to the line's share of tax in proportion to what is then
 * credited, rounded half-even; all of it once the whole line is. So the notes
 * of a line never give back more than its tax, and the last one takes the
 * remaining cents, exactly.
 */
const lineTax = (o: CreditableLine, amount: number): number | undefined => {
  if (o.line.tax === undefined) return undefined;
  const net = netOf(o.line);
  const after = net - o.left + amount;
  return (after === net ? o.line.tax : prorate(o.line.tax, after, net)) - o.taxCredited;
};

const inclusiveOf = (invoice: ExistingInvoice, taxRateId: string): boolean =>
  invoice.lines.some((l) => l.type === 'tax' && l.taxRateId === taxRateId && l.inclusive === true);

/** A note's lines with their tax, and what it gives back in all: the lines, and the exclusive tax on them. */
export const priceCreditNote = (invoice: ExistingInvoice, asked: readonly Readonly<{ itemKey: string; amount: number }>[]) => {
  const open = creditableLines(invoice);
  const lines: CreditedLine[] = asked.map((l) => {
    const tax = lineTax(open.find((o) => o.line.itemKey === l.itemKey)!, l.amount);
    return tax === undefined ? { itemKey: l.itemKey, amount: l.amount } : { itemKey: l.itemKey, amount: l.amount, tax };
  });
  const taxes = new Map<string, CreditedTax>();
  for (const l of lines) {
    const taxRateId = open.find((o) => o.line.itemKey === l.itemKey)!.line.taxRateId;
    if (l.tax === undefined || taxRateId === undefined) continue;
    const sum = taxes.get(taxRateId) ?? { taxRateId, inclusive: inclusiveOf(invoice, taxRateId), amount: 0 };
    taxes.set(taxRateId, { ...sum, amount: sum.amount + l.tax });
  }
  const byRate = [...taxes.values()];
  const amount = lines.reduce((sum, l) => sum + l.amount, 0) + byRate.reduce((sum, t) => sum + (t.inclusive ? 0 : t.amount), 0);
  return { lines, amount, tax: byRate.reduce((sum, t) => sum + t.amount, 0), taxes: byRate };
};

/** What every issued credit note credits, and what all of them may: the invoice's total. */
export const creditedSoFar = (invoice: ExistingInvoice) => issuedNotes(invoice).reduce((sum, n) => sum + n.amount, 0);

/** What each succeeded charge paid of the invoice and credit notes have not refunded yet, the earliest first. */
const refundableCharges = (invoice: ExistingInvoice): ChargeRefund[] => {
  const refunded = new Map<string, number>();
  for (const note of invoice.creditNotes ?? []) for (const r of note.refunds ?? []) refunded.set(r.chargeId, (refunded.get(r.chargeId) ?? 0) + r.amount);
  return (invoice.collection?.payments ?? []).flatMap((p) => {
    if (p.result?.outcome !== 'succeeded') return [];
    const paid = p.result.applied ?? p.amount;
    const left = paid - (refunded.get(p.result.chargeId) ?? 0);
    return left > 0 ? [{ chargeId: p.result.chargeId, amount: left }] : [];
  });
};

/** A refund spread over the charges, the earliest first, each within what is left of it. */
const refundsOf = (invoice: ExistingInvoice, refund: number): ChargeRefund[] => {
  let left = refund;
  return refundableCharges(invoice).flatMap((c) => {
    const amount = Math.min(c.amount, left);
    left -= amount;
    return amount > 0 ? [{ chargeId: c.chargeId, amount }] : [];
  });
};

/** The lines credited: as asked, each within what is left of it; or the amount spread over what is left, in proportion. */
const creditedLines = (invoice: ExistingInvoice, data: IssueCreditNote['data']): { itemKey: string; amount: number }[] => {
  const open = creditableLines(invoice);
  if ((data.lines === undefined) === (data.amount === undefined)) throw invalid('a credit note credits either lines or an amount', 'lines');
  if (data.amount !== undefined) {
    if (!whole(data.amount) || data.amount === 0) throw invalid('amount is a whole number of minor units above 0', 'amount');
    const left = open.reduce((sum, o) => sum + o.left, 0);
    if (data.amount > left) throw new ConflictError('credit_note.exceeds_invoice', `${left} ${invoice.currency} is left to credit on the invoice's lines`, { creditable: left });
    const shares = allocate(data.amount, open.map((o) => o.left));
    return open.flatMap((o, i) => (shares[i]! > 0 ? [{ itemKey: o.line.itemKey, amount: shares[i]! }] : []));
  }
  const lines = data.lines!;
  if (lines.length === 0) throw invalid('a credit note credits at least one line', 'lines');
  if (new Set(lines.map((l) => l.itemKey)).size !== lines.length) throw invalid('each line is credited once per credit note', 'lines');
  return lines.map((l, i) => {
    const target = open.find((o) => o.line.itemKey === l.itemKey);
    if (!target) throw invalid(`lines[${i}]: the invoice has no line ${l.itemKey} that a credit note may credit`, `lines[${i}].itemKey`);
    if (!whole(l.amount) || l.amount === 0) throw invalid(`lines[${i}]: amount is a whole number of minor units above 0`, `lines[${i}].amount`);
    if (l.amount > target.left) {
      throw new ConflictError('credit_note.exceeds_line', `${target.left} ${invoice.currency} is left to credit on ${l.itemKey}`, { itemKey: l.itemKey, creditable: target.left });
    }
    return { itemKey: l.itemKey, amount: l.amount };
  });
};

const refundTaxesOf = (refund: number, amount: number, tax: number, taxes: readonly CreditedTax[]): CreditedTax[] => {
  const shares = allocate(refund, [amount - tax, ...taxes.map((t) => t.amount)]);
  return taxes.map((t, k) => ({ ...t, amount: shares[k + 1]! }));
};

const sameNote = (note: CreditNoteRecord, data: IssueCreditNote['data'], lines: readonly Readonly<{ itemKey: string; amount: number }>[]) =>
  note.reason === data.reason &&
  note.lines.length === lines.length &&
  note.lines.every((l, i) => l.itemKey === lines[i]!.itemKey && l.amount === lines[i]!.amount);

const issue = (data: IssueCreditNote['data'], invoice: ExistingInvoice): (CreditNoteEvent | InvoicePaid)[] => {
  const existing = (invoice.creditNotes ?? []).find((n) => n.creditNoteId === data.creditNoteId);
  if (existing) {
    // A retry of the same request: the same reason and the same amount or lines.
    const asked = data.lines ?? (data.amount === existing.lines.reduce((sum, l) => sum + l.amount, 0) ? existing.lines : []);
    if (sameNote(existing, data, asked)) return [];
    throw new ConflictError('credit_note.already_exists', `credit note ${data.creditNoteId} already exists with other facts`);
  }
  const automatic = data.automatic ?? false;
  if (invoice.status === 'VOID' || (invoice.status === 'DRAFT' && !automatic)) {
    throw new ConflictError('invoice.invalid_transition', `a ${invoice.status} invoice cannot take a credit note`, { status: invoice.status });
  }
  if (!(CREDIT_NOTE_REASONS as readonly string[]).includes(data.reason)) throw invalid(`reason is one of ${CREDIT_NOTE_REASONS.join(', ')}`, 'reason');
  const { lines, amount, tax, taxes } = priceCreditNote(invoice, creditedLines(invoice, data));
  const left = invoice.total - creditedSoFar(invoice);
  if (amount > left) throw new ConflictError('credit_note.exceeds_invoice', `${left} ${invoice.currency} is left to credit on the invoice`, { creditable: left });
  const due = amountDueOf(invoice);
  const prePayment = Math.min(amount, due);
  const [refund, credit, outOfBand] = [data.refund ?? 0, data.credit ?? 0, data.outOfBand ?? 0];
  for (const [field, value] of Object.entries({ refund, credit, outOfBand })) {
    if (!whole(value)) throw invalid(`${field} is a whole number of minor units ≥ 0`, field);
  }
  const post = amount - prePayment;
  if (automatic && post > 0) throw new ConflictError('credit_note.exceeds_amount_due', `an automatic credit note reduces what is due only: ${due} is due`, { amountDue: due });
  if (refund + credit + outOfBand !== post) {
    throw new ConflictError('credit_note.split_mismatch', `${prePayment} reduces the amount due; the other ${post} must be split into refund, credit and out of band exactly`, {
      prePayment,
      postPayment: post,
    });
  }
  const refundable = refundableCharges(invoice).reduce((sum, c) => sum + c.amount, 0);
  if (refund > refundable) {
    throw new ConflictError('credit_note.refund_exceeds_paid', `charges paid ${refundable} ${invoice.currency} that is not refunded yet`, { refundable });
  }
  const { invoiceId, customerId, currency } = invoice;
  const noted: CreditNoteEvent = {
    type: 'InvoiceCreditNoted',
    data: {
      invoiceId,
      creditNoteId: data.creditNoteId,
      customerId,
      currency,
      reason: data.reason,
      ...(data.memo !== undefined && { memo: data.memo }),
      lines,
      amount,
      ...(taxes.length > 0 && {
        tax,
        taxes,
        // The refund split as the note is, by the same largest-remainder allocation: its net part, and each rate's tax.
        refundTaxes: refundTaxesOf(refund, amount, tax, taxes),
      }),
      prePayment,
      refund,
      refunds: refundsOf(invoice, refund),
      credit,
      outOfBand,
      automatic,
      issuedAt: data.now,
    },
  };
  // Nothing left due on a finalised invoice: paid by the credit note, as Stripe marks it.
  const settles = prePayment > 0 && prePayment === due && (invoice.status === 'OPEN' || invoice.status === 'UNCOLLECTIBLE');
  return settles ? [noted, { type: 'InvoicePaid', data: { invoiceId, paidAt: data.now } }] : [noted];
};

export const decideCreditNote = (command: CreditNoteCommand, state: InvoiceState): (CreditNoteEvent | InvoicePaid)[] => {
  if (state.status === 'NONE') throw new NotFoundError('invoice.not_found', 'the invoice does not exist');
  switch (command.type) {
    case 'IssueCreditNote':
      return issue(command.data, state);
    case 'VoidCreditNote': {
      const { creditNoteId, now } = command.data;
      const note = (state.creditNotes ?? []).find((n) => n.creditNoteId === creditNoteId);
      if (!note) throw new NotFoundError('credit_note.not_found', `the invoice has no credit note ${creditNoteId}`);
      if (note.status === 'VOID') return [];
      // Money that left (a refund, credit the customer may have spent, a cheque) is not taken back; nor is a paid invoice
      // reopened; nor is the billing engine's own note, which a change's invoice counts on.
      if (note.refund > 0 || note.credit > 0 || note.outOfBand > 0 || note.automatic || (note.prePayment > 0 && state.status === 'PAID')) {
        throw new ConflictError(
          'credit_note.cannot_void',
          'a credit note that gave money back, settled the invoice, or was issued by billing for unused time cannot be voided',
          { refund: note.refund, credit: note.credit, outOfBand: note.outOfBand, automatic: note.automatic, status: state.status },
        );
      }
      // A charge of the reduced amount may be out: what is due must not grow under it.
      const inFlight = attemptInFlight(state);
      if (inFlight !== undefined) {
        throw new ConflictError('invoice.payment_in_flight', `attempt ${inFlight} is charging the invoice; the credit note can be voided once its result is recorded`, { attempt: inFlight });
      }
      return [{ type: 'InvoiceCreditNoteVoided', data: { invoiceId: state.invoiceId, creditNoteId, prePayment: note.prePayment, voidedAt: now } }];
    }
  }
  const _exhaustive: never = command;
  return _exhaustive;
};

export const evolveCreditNotes = (notes: readonly CreditNoteRecord[] | undefined, event: CreditNoteEvent): readonly CreditNoteRecord[] => {
  const current = notes ?? [];
  switch (event.type) {
    case 'InvoiceCreditNoted': {
      const { invoiceId: _i, customerId: _c, currency: _cur, ...record } = event.data;
      return [...current, { ...record, status: 'ISSUED' }];
    }
    case 'InvoiceCreditNoteVoided':
      return current.map((n) => (n.creditNoteId === event.data.creditNoteId ? { ...n, status: 'VOID', voidedAt: event.data.voidedAt } : n));
  }
};
