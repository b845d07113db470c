import type { ContractTerms } from '../../domain/contract/index.js';
import { optional, type Stamped } from '../shared/index.js';

/** A contract as the API shows it. */
type ContractLike = ContractTerms & Stamped & Readonly<{ contractId: string; status: string; endedAt?: string }>;

export const presentContract = (s: ContractLike, revision: bigint) => ({
  contractId: s.contractId,
  customerId: s.customerId,
  title: s.title,
  terms: optional(s.terms),
  startsAt: s.startsAt,
  endsAt: optional(s.endsAt),
  status: s.status,
  endedAt: optional(s.endedAt),
  revision: revision.toString(),
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});
