import type { SubscriptionEvent } from '../subscription/index.js';

/** A subscription event as the billing engine reads it: with the id that names what it caused. */
export type BillingEvent = Readonly<{ eventId: string; event: SubscriptionEvent }>;

export type BillableItemType = 'plan_charge' | 'proration_credit' | 'proration_debit';

/**
 * Something that should have been billed: computed from the subscription's
 * stream alone, so the same stream always gives the same items, with the same
 * keys. `invoiceKey` says which invoice carries it: a renewal's own
 * (`period:<start>`) or that of the change that caused it (`change:<eventId>`).
 */
export type BillableItem = Readonly<{
  /** Unique within the subscription: what "already billed" is checked by. */
  key: string;
  invoiceKey: string;
  type: BillableItemType;
  description: string;
  planId: string;
  quantity: number;
  /** Per unit and per whole period, minor units. */
  unitAmount: number;
  /** Minor units; negative for a credit. */
  amount: number;
  currency: string;
  /** The time the item pays for (or gives back), half-open. */
  period: Readonly<{ start: string; end: string }>;
  /** When it is billed: a period's start (in advance), or the change's instant. */
  dueAt: string;
  /** A proration credit's: the key of the charge whose unused time it gives back. */
  credits?: string;
}>;

/** Items by the invoice that carries them, in the order they fell due. */
export const byInvoice = (items: readonly BillableItem[]): ReadonlyMap<string, readonly BillableItem[]> => {
  const invoices = new Map<string, BillableItem[]>();
  for (const item of items) invoices.set(item.invoiceKey, [...(invoices.get(item.invoiceKey) ?? []), item]);
  return invoices;
};
