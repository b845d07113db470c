import { describe, expect, it } from 'vitest';
import {
  CREDIT_TO_BALANCE_DESCRIPTION,
  INVOICE_STATUSES,
  invoiceDecider,
  invoiceStreamName,
  type InvoiceCommand,
  type InvoiceEvent,
  type InvoiceLine,
  type InvoiceStatus,
  type ItemLine,
} from '../../src/domain/invoice/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/domain/shared/index.js';
import {
  APR_1,
  create,
  created,
  createdWith,
  finalized,
  FINALIZED_AT,
  fold,
  history,
  invoiceId,
  LATER,
  line,
  MAR_1,
  MAR_10,
  MAR_16,
  markedUncollectible,
  NUMBER,
  OTHER_NUMBER,
  paid,
  PAYMENT_ID,
  spec,
  voidedDraft,
} from './invoiceFixtures.js';

type Name = 'finalize' | 'finalizeOther' | 'void' | 'markUncollectible' | 'pay' | 'payOther';
type Label = InvoiceStatus | 'VOID (a voided draft)';

const commandsAt = (now: string): Record<Name, InvoiceCommand> => ({
  finalize: { type: 'FinalizeInvoice', data: { number: NUMBER, now } },
  finalizeOther: { type: 'FinalizeInvoice', data: { number: OTHER_NUMBER, now } },
  void: { type: 'VoidInvoice', data: { now } },
  markUncollectible: { type: 'MarkUncollectible', data: { now } },
  pay: { type: 'MarkInvoicePaid', data: { paymentId: PAYMENT_ID, now } },
  payOther: { type: 'MarkInvoicePaid', data: { paymentId: 'pay_2', now } },
});
const commands = commandsAt(LATER);
const NAMES = Object.keys(commands) as Name[];

const results: Record<Name, InvoiceEvent> = {
  finalize: { type: 'InvoiceFinalized', data: { invoiceId, number: NUMBER, finalizedAt: LATER } },
  finalizeOther: { type: 'InvoiceFinalized', data: { invoiceId, number: OTHER_NUMBER, finalizedAt: LATER } },
  void: { type: 'InvoiceVoided', data: { invoiceId, voidedAt: LATER } },
  markUncollectible: { type: 'InvoiceMarkedUncollectible', data: { invoiceId, markedAt: LATER } },
  pay: { type: 'InvoicePaid', data: { invoiceId, paymentId: PAYMENT_ID, paidAt: LATER } },
  payOther: { type: 'InvoicePaid', data: { invoiceId, paymentId: 'pay_2', paidAt: LATER } },
};

const histories: Record<Label, InvoiceEvent[]> = { ...history, 'VOID (a voided draft)': voidedDraft };
const statusOf = (label: Label): InvoiceStatus => (label.startsWith('VOID') ? 'VOID' : (label as InvoiceStatus));

/** The state machine, written out from the issue, not from the decider's table. */
const legal: Record<InvoiceStatus, Name[]> = {
  DRAFT: ['finalize', 'finalizeOther', 'void'],
  OPEN: ['void', 'markUncollectible'],
  UNCOLLECTIBLE: ['void'],
  PAID: [],
  VOID: [],
};
/** Retries of a recorded fact: the same number once numbered, the same payment once paid. */
const noOp: Partial<Record<Name, Label[]>> = {
  finalize: ['OPEN', 'UNCOLLECTIBLE', 'PAID', 'VOID'],
  void: ['VOID', 'VOID (a voided draft)'],
  markUncollectible: ['UNCOLLECTIBLE'],
  pay: ['PAID'],
};
/** Marking paid by hand settles nothing that is due: only a payment or a credit note does. */
const refusedWith: Partial<Record<`${Label} ${Name}`, string>> = {
  'PAID payOther': 'invoice.already_paid',
  'OPEN pay': 'invoice.amount_due',
  'OPEN payOther': 'invoice.amount_due',
  'UNCOLLECTIBLE pay': 'invoice.amount_due',
  'UNCOLLECTIBLE payOther': 'invoice.amount_due',
};

const outcomeOf = (label: Label, name: Name): string =>
  legal[statusOf(label)].includes(name) ? 'legal' : noOp[name]?.includes(label) ? 'no-op' : (refusedWith[`${label} ${name}`] ?? 'invoice.invalid_transition');

describe('Invoice, every command in every status', () => {
  for (const label of Object.keys(histories) as Label[]) {
    for (const name of NAMES) {
      const outcome = outcomeOf(label, name);
      it(`${label} + ${name}: ${outcome}`, () => {
        const then = spec.given(histories[label]).when(commands[name]).then;
        if (outcome === 'legal') then([results[name]]);
        else if (outcome === 'no-op') then([]);
        else then({ error: ConflictError, reason: outcome });
      });
    }
  }

  it('covers every status', () => expect(new Set(Object.keys(histories).map((label) => statusOf(label as Label)))).toEqual(new Set(INVOICE_STATUSES)));

  it('names the status and the allowed transitions when it refuses', () => {
    expect(() => invoiceDecider.decide(commands.pay, fold(history.DRAFT))).toThrow(
      expect.objectContaining({ reason: 'invoice.invalid_transition', details: { status: 'DRAFT', allowedTransitions: ['finalize', 'void'] } }),
    );
    expect(() => invoiceDecider.decide(commands.finalizeOther, fold(history.OPEN))).toThrow(
      expect.objectContaining({ details: { status: 'OPEN', allowedTransitions: ['void', 'mark_uncollectible', 'pay'] } }),
    );
    expect(() => invoiceDecider.decide(commands.payOther, fold(history.PAID))).toThrow(expect.objectContaining({ details: { paymentId: PAYMENT_ID } }));
  });

  it('refuses every command on an invoice that does not exist', () => {
    for (const name of NAMES) spec.given([]).when(commands[name]).then({ error: NotFoundError, reason: 'invoice.not_found' });
  });

  it('keeps a void reason, and a payment without an id', () => {
    spec.given(history.OPEN).when({ type: 'VoidInvoice', data: { reason: 'duplicate', now: LATER } }).then([
      { type: 'InvoiceVoided', data: { invoiceId, reason: 'duplicate', voidedAt: LATER } },
    ]);
    // Finalised with nothing due before finalising paid such an invoice: it is marked paid without a charge.
    const nothingDue = createdWith([line()], 4_500, { creditApplied: 4_500 });
    spec.given([nothingDue, finalized]).when({ type: 'MarkInvoicePaid', data: { now: LATER } }).then([{ type: 'InvoicePaid', data: { invoiceId, paidAt: LATER } }]);
  });

  it('finalises an invoice with nothing due as paid', () => {
    spec.given([createdWith([line()], 4_500, { creditApplied: 4_500 })]).when(commands.finalize).then([
      { ...results.finalize },
      { type: 'InvoicePaid', data: { invoiceId, paidAt: LATER } },
    ]);
  });
});

describe('Invoice creation', () => {
  const credit = (amount: number): ItemLine =>
    line({ type: 'proration_credit', itemKey: 'sub_1:proration_credit:basic', description: 'Unused time on Basic', amount, period: { start: MAR_16, end: APR_1 } });
  const debit = (amount: number): ItemLine =>
    line({ type: 'proration_debit', itemKey: 'sub_1:proration_debit:pro', description: 'Remaining time on Pro', quantity: 1, amount, period: { start: MAR_16, end: APR_1 } });

  it('creates a DRAFT whose total is the sum of its lines but the credit applied, which stands beside it; tax 0; whether or not the customer reviews drafts', () => {
    spec.given([]).when(create()).then([created]);
    spec.given([]).when(create({ draft: true })).then([{ ...created, data: { ...created.data, autoFinalize: false } }]);
    const lines = [line(), debit(1_200), line({ type: 'credit_applied', itemKey: 'credit', description: 'Credit applied', quantity: 1, amount: -700 })];
    spec.given([]).when(create({ lines })).then([createdWith(lines, 5_700, { creditApplied: 700 })]);
    expect(fold([createdWith(lines, 5_700, { creditApplied: 700 })])).toMatchObject({ total: 5_700, creditApplied: 700, paid: 0 });
  });

  it('carries a negative sum of items to the credit balance: −800 + 300 gives a credit_to_balance of +500 and a total of 0', () => {
    const lines = [credit(-800), debit(300)];
    const toBalance: InvoiceLine = { ...debit(500), type: 'credit_to_balance', itemKey: 'credit_to_balance', description: CREDIT_TO_BALANCE_DESCRIPTION, unitAmount: 500 };
    const event = createdWith([...lines, toBalance], 0, { cause: { kind: 'change', eventId: 'evt_9' } });
    spec.given([]).when(create({ lines, cause: { kind: 'change', eventId: 'evt_9' } })).then([event]);
    expect(fold([event])).toMatchObject({ status: 'DRAFT', subtotal: 0, tax: 0, total: 0, lines: [{}, {}, { type: 'credit_to_balance', amount: 500 }] });
  });

  it('adds no credit_to_balance when the items sum to exactly zero, and spans all the items when it does', () => {
    spec.given([]).when(create({ lines: [credit(-300), debit(300)] })).then([createdWith([credit(-300), debit(300)], 0)]);
    const [event] = invoiceDecider.decide(create({ lines: [line(), credit(-9_000)] }), fold([])) as [typeof created];
    expect(event.data.lines.at(-1)).toMatchObject({ amount: 4_500, period: { start: MAR_1, end: APR_1 } });
  });

  it('is a no-op when asked again for the same facts, in any status, and a conflict for other facts', () => {
    const again = create({ lines: [debit(300), line()], draft: true, now: LATER });
    const same = createdWith([line(), debit(300)], 4_800);
    for (const events of [[same], [same, finalized], [same, finalized, paid]]) spec.given(events).when(again).then([]);
    const withCredit = create({ lines: [credit(-800), debit(300)] });
    spec.given([...invoiceDecider.decide(withCredit, fold([]))]).when(withCredit).then([]);
    const others: Parameters<typeof create>[0][] = [
      { customerId: 'cus_2' },
      { subscriptionId: 'sub_2' },
      { currency: 'usd', lines: [line({ currency: 'usd' })] },
      { lines: [line({ amount: 4_501 })] },
      { lines: [line(), debit(300)] },
      { lines: [line({ description: 'Basic × 4' })] },
      { lines: [line({ period: { start: MAR_16, end: APR_1 } })] },
      { cause: { kind: 'period', periodStart: APR_1 } },
      { cause: { kind: 'change', eventId: MAR_1 } },
    ];
    for (const other of others) spec.given([created]).when(create(other)).then({ error: ConflictError, reason: 'invoice.already_exists' });
  });

  const refused: Record<string, ItemLine[]> = {
    'no lines': [],
    'a line in another currency': [line({ currency: 'usd' })],
    'a fraction of a cent': [line({ amount: 19.99 })],
    'an unsafe amount': [line({ amount: 2 ** 53 })],
    'an unsafe unit amount': [line({ unitAmount: Number.NaN })],
    'a sum beyond a safe integer': [line({ amount: Number.MAX_SAFE_INTEGER }), debit(Number.MAX_SAFE_INTEGER)],
    'a negative charge': [line({ amount: -1 })],
    'a negative debit': [debit(-1)],
    'a positive credit': [credit(1)],
    'a positive credit applied': [line({ type: 'credit_applied', amount: 1 })],
    'a credit_to_balance line': [{ ...line(), type: 'credit_to_balance' } as unknown as ItemLine],
    'two lines with one itemKey': [line(), line({ amount: 100 })],
    "an item with the credit_to_balance line's key": [line({ itemKey: 'credit_to_balance' }), credit(-9_000)],
    'an empty itemKey': [line({ itemKey: ' ' })],
    'an empty description': [line({ description: '' })],
    'a quantity of 0': [line({ quantity: 0 })],
    'a fractional quantity': [line({ quantity: 1.5 })],
    'an empty period': [line({ period: { start: APR_1, end: APR_1 } })],
    'a period ending before it starts, compared as instants': [line({ period: { start: '2026-03-01T01:00:00Z', end: '2026-03-01T05:00:00+05:00' } })],
  };
  for (const [what, lines] of Object.entries(refused)) {
    it(`refuses ${what}`, () => spec.given([]).when(create({ lines })).then({ error: ValidationError, reason: 'invoice.invalid' }));
  }

  it('refuses an upper-case currency and a change cause without its event', () => {
    spec.given([]).when(create({ currency: 'EUR', lines: [line({ currency: 'EUR' })] })).then({ error: ValidationError, reason: 'invoice.invalid' });
    spec.given([]).when(create({ cause: { kind: 'change', eventId: '' } })).then({ error: ValidationError, reason: 'invoice.invalid' });
  });
});

describe('Invoice numbering', () => {
  const finalize = (number: string, now = LATER): InvoiceCommand => ({ type: 'FinalizeInvoice', data: { number, now } });

  it('takes only YYYY-NNNNNN', () => {
    for (const number of ['', '2026-42', '26-000042', '2026-0000042', '2026000042', '2026-00004a', ' 2026-000042', '2026-000042\n', '２０２６-000042']) {
      spec.given(history.DRAFT).when(finalize(number)).then({ error: ValidationError, reason: 'invoice.invalid' });
    }
  });

  it('refuses a number of a later year than the finalisation, in UTC, and takes a late one of the year before', () => {
    const newYearInUtc = '2026-12-31T22:30:00-02:00';
    spec.given(history.DRAFT).when(finalize('2027-000001', '2026-12-31T23:30:00+01:00')).then({ error: ValidationError, reason: 'invoice.invalid' });
    spec.given(history.DRAFT).when(finalize('2027-000001', newYearInUtc)).then([
      { type: 'InvoiceFinalized', data: { invoiceId, number: '2027-000001', finalizedAt: newYearInUtc } },
    ]);
    // Taken on Dec 31, recorded after midnight by a retry: it keeps its year.
    spec.given(history.DRAFT).when(finalize('2026-000099', newYearInUtc)).then([
      { type: 'InvoiceFinalized', data: { invoiceId, number: '2026-000099', finalizedAt: newYearInUtc } },
    ]);
  });

  it('takes a retry with the same number as a no-op, even in the next year', () =>
    spec.given(history.OPEN).when(finalize(NUMBER, '2027-01-01T00:00:01Z')).then([]));
});

describe('Invoice state', () => {
  it('keeps its lines, totals, number and every instant', () => {
    expect(fold(history.DRAFT)).toMatchObject({ status: 'DRAFT', lines: [line()], subtotal: 4_500, total: 4_500, updatedAt: MAR_1 });
    expect(fold(history.DRAFT)).not.toHaveProperty('number');
    expect(fold(history.OPEN)).toMatchObject({ status: 'OPEN', number: NUMBER, createdAt: MAR_1, finalizedAt: FINALIZED_AT, updatedAt: FINALIZED_AT });
    expect(fold([created, finalized, markedUncollectible, paid])).toMatchObject({
      status: 'PAID',
      number: NUMBER,
      finalizedAt: FINALIZED_AT,
      markedUncollectibleAt: MAR_10,
      paidAt: MAR_10,
      paymentId: PAYMENT_ID,
    });
    expect(fold(history.VOID)).toMatchObject({ status: 'VOID', number: NUMBER, finalizedAt: FINALIZED_AT, voidedAt: MAR_10 });
    expect(fold(voidedDraft)).not.toHaveProperty('number');
  });

  it('lives in the stream invoice-<id>', () => expect(invoiceStreamName('inv_abc')).toBe('invoice-inv_abc'));
});
