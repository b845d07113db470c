import type { CustomerProfile } from '../../domain/customer/index.js';
import { optional, type Stamped } from '../shared/index.js';

/** A customer as the API shows it. */
type CustomerLike = CustomerProfile &
  Stamped &
  Readonly<{ customerId: string; draftInvoices: boolean; paymentMethod?: string; taxRateId?: string | null; discount?: unknown; credit: Readonly<Record<string, number>> }>;

export const presentCustomer = (s: CustomerLike, revision: bigint) => ({
  customerId: s.customerId,
  name: s.name,
  email: s.email,
  ownerUserId: optional(s.ownerUserId),
  paymentMethod: optional(s.paymentMethod),
  metadata: optional(s.metadata),
  draftInvoices: s.draftInvoices,
  taxRateId: s.taxRateId ?? null,
  discount: s.discount ?? null,
  credit: s.credit,
  revision: revision.toString(),
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});
