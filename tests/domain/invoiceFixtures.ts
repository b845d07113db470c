import type {
  CreateInvoice,
  InvoiceCommand,
  InvoiceCreated,
  InvoiceEvent,
  InvoiceLine,
  InvoiceStatus,
  ItemLine,
} from '../../src/domain/invoice/index.js';
import { invoiceDecider } from '../../src/domain/invoice/index.js';
import { deciderSpec } from '../support/deciderSpec.js';

/**
 * Shared givens for the Invoice tests: invoice inv_1 bills March 2026 of
 * subscription sub_1 (3 seats at 15.00 EUR), is created on MAR_1 and, when
 * it is, finalised as NUMBER on FINALIZED_AT.
 */
export const spec = deciderSpec(invoiceDecider);
export const invoiceId = 'inv_1';

export const MAR_1 = '2026-03-01T00:00:00.000Z';
export const MAR_16 = '2026-03-16T00:00:00.000Z';
export const APR_1 = '2026-04-01T00:00:00.000Z';
export const FINALIZED_AT = '2026-03-01T00:05:00.000Z';
/** When the status-changing events of the histories happen. */
export const MAR_10 = '2026-03-10T09:00:00.000Z';
/** When the commands are issued. */
export const LATER = '2026-04-20T09:00:00.000Z';
export const NUMBER = '2026-000042';
export const OTHER_NUMBER = '2026-000043';
export const PAYMENT_ID = 'pay_1';

/** A plan charge for March; any field can be changed. */
export const line = (overrides: Partial<ItemLine> = {}): ItemLine => ({
  type: 'plan_charge',
  itemKey: 'sub_1:plan_charge:2026-03-01',
  description: 'Basic × 3',
  quantity: 3,
  unitAmount: 1_500,
  amount: 4_500,
  currency: 'eur',
  period: { start: MAR_1, end: APR_1 },
  ...overrides,
});

export type CreateData = CreateInvoice['data'];
export const createData = (overrides: Partial<CreateData> = {}): CreateData => ({
  invoiceId,
  customerId: 'cus_1',
  subscriptionId: 'sub_1',
  currency: 'eur',
  lines: [line()],
  cause: { kind: 'period', periodStart: MAR_1 },
  draft: false,
  now: MAR_1,
  ...overrides,
});
export const create = (overrides: Partial<CreateData> = {}): InvoiceCommand => ({ type: 'CreateInvoice', data: createData(overrides) });

/** The InvoiceCreated a creation with these lines appends, with its totals. */
export const createdWith = (lines: readonly InvoiceLine[], subtotal: number, overrides: Partial<InvoiceCreated['data']> = {}): InvoiceCreated => ({
  type: 'InvoiceCreated',
  data: {
    invoiceId,
    customerId: 'cus_1',
    subscriptionId: 'sub_1',
    currency: 'eur',
    lines,
    subtotal,
    tax: 0,
    total: subtotal,
    creditApplied: 0,
    cause: { kind: 'period', periodStart: MAR_1 },
    autoFinalize: true,
    createdAt: MAR_1,
    ...overrides,
  },
});

export const created = createdWith([line()], 4_500);
export const finalized: InvoiceEvent = { type: 'InvoiceFinalized', data: { invoiceId, number: NUMBER, finalizedAt: FINALIZED_AT } };
export const markedUncollectible: InvoiceEvent = { type: 'InvoiceMarkedUncollectible', data: { invoiceId, markedAt: MAR_10 } };
export const paid: InvoiceEvent = { type: 'InvoicePaid', data: { invoiceId, paymentId: PAYMENT_ID, paidAt: MAR_10 } };
export const voided: InvoiceEvent = { type: 'InvoiceVoided', data: { invoiceId, voidedAt: MAR_10 } };

/** Events that bring an invoice into each status; VOID was finalised first, and has its number. */
export const history: Record<InvoiceStatus, InvoiceEvent[]> = {
  DRAFT: [created],
  OPEN: [created, finalized],
  UNCOLLECTIBLE: [created, finalized, markedUncollectible],
  PAID: [created, finalized, paid],
  VOID: [created, finalized, voided],
};
/** A voided draft: VOID, without a number. */
export const voidedDraft: InvoiceEvent[] = [created, voided];

export const fold = (events: readonly InvoiceEvent[]) => events.reduce(invoiceDecider.evolve, invoiceDecider.initialState());
