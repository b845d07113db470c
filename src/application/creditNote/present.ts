import type { CreditNoteState } from '../../domain/creditNote/index.js';

type Existing = Exclude<CreditNoteState, { status: 'NONE' }>;

/** A credit note as the API shows it; amounts in minor units. */
export const presentCreditNote = (s: Existing, revision: bigint) => ({
  creditNoteId: s.creditNoteId,
  number: s.number,
  invoiceId: s.invoiceId,
  customerId: s.customerId,
  status: s.status,
  currency: s.currency,
  reason: s.reason,
  memo: s.memo ?? null,
  lines: s.lines.map((l) => ({ itemKey: l.itemKey, amount: l.amount, ...(l.tax !== undefined && { tax: l.tax }) })),
  /** Its lines and the exclusive tax on them. */
  amount: s.amount,
  tax: s.tax ?? 0,
  taxes: (s.taxes ?? []).map((t) => ({ taxRateId: t.taxRateId, inclusive: t.inclusive, amount: t.amount })),
  refundTaxes: (s.refundTaxes ?? []).map((t) => ({ taxRateId: t.taxRateId, inclusive: t.inclusive, amount: t.amount })),
  prePayment: s.prePayment,
  refund: s.refund,
  credit: s.credit,
  outOfBand: s.outOfBand,
  automatic: s.automatic,
  issuedAt: s.issuedAt,
  voidedAt: s.status === 'VOID' ? s.voidedAt : null,
  revision: revision.toString(),
});
