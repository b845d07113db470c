import type { Command } from '../shared/index.js';
import type { CustomerProfile, Discount } from './state.js';

export type RegisterCustomer = Command<'RegisterCustomer', CustomerProfile & { customerId: string; draftInvoices?: boolean; now: string }>;
/** `null` clears an optional field. */
export type UpdateCustomer = Command<
  'UpdateCustomer',
  {
    name?: string;
    email?: string;
    ownerUserId?: string | null;
    metadata?: Readonly<Record<string, string>> | null;
    draftInvoices?: boolean;
    now: string;
  }
>;
export type AttachPaymentMethod = Command<'AttachPaymentMethod', { paymentMethod: string; now: string }>;
/** `invoiceId`: the invoice the credit comes from (a proration, an overpayment, a void giving back what was applied to it). */
export type GrantCredit = Command<'GrantCredit', { amount: number; currency: string; reason: string; invoiceId?: string; now: string }>;
export type ApplyCredit = Command<'ApplyCredit', { amount: number; currency: string; invoiceId?: string; now: string }>;

/** The tax rate its invoices are taxed at, over its plans'; `null` removes it. The application checks the rate is active. */
export type SetCustomerTaxRate = Command<'SetCustomerTaxRate', { taxRateId: string | null; now: string }>;

/** At most one at a time: another coupon's is refused (remove it first). The application redeemed the coupon first. */
export type ApplyDiscount = Command<'ApplyDiscount', { discount: Discount; now: string }>;
export type RemoveDiscount = Command<'RemoveDiscount', { now: string }>;

export type CustomerCommand = RegisterCustomer | UpdateCustomer | AttachPaymentMethod | GrantCredit | ApplyCredit | SetCustomerTaxRate | ApplyDiscount | RemoveDiscount;
