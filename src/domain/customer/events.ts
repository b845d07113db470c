import type { Event } from '../shared/index.js';
import type { CustomerProfile, Discount } from './state.js';

/** `draftInvoices` is absent from events recorded before it existed: false. */
export type CustomerRegistered = Event<'CustomerRegistered', CustomerProfile & { customerId: string; draftInvoices?: boolean; registeredAt: string }>;
/** Only the fields that changed; `null` clears an optional one. */
export type CustomerUpdated = Event<
  'CustomerUpdated',
  {
    customerId: string;
    name?: string;
    email?: string;
    ownerUserId?: string | null;
    metadata?: Readonly<Record<string, string>> | null;
    draftInvoices?: boolean;
    updatedAt: string;
  }
>;
export type PaymentMethodAttached = Event<'PaymentMethodAttached', { customerId: string; paymentMethod: string; attachedAt: string }>;
/** A line of the credit ledger: credit is never a number overwritten. */
export type CustomerCreditGranted = Event<
  'CustomerCreditGranted',
  { customerId: string; amount: number; currency: string; reason: string; invoiceId?: string; balanceAfter: number; grantedAt: string }
>;
export type CustomerCreditApplied = Event<
  'CustomerCreditApplied',
  { customerId: string; amount: number; currency: string; invoiceId?: string; balanceAfter: number; appliedAt: string }
>;

export type CustomerTaxRateSet = Event<'CustomerTaxRateSet', { customerId: string; taxRateId: string | null; setAt: string }>;

export type CustomerDiscountApplied = Event<'CustomerDiscountApplied', Discount & { customerId: string; appliedAt: string }>;
export type CustomerDiscountRemoved = Event<'CustomerDiscountRemoved', { customerId: string; couponId: string; redemptionId: string; removedAt: string }>;

export type CustomerEvent =
  | CustomerDiscountApplied
  | CustomerDiscountRemoved
  | CustomerTaxRateSet
  | CustomerRegistered
  | CustomerUpdated
  | PaymentMethodAttached
  | CustomerCreditGranted
  | CustomerCreditApplied;
