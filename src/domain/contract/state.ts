export const CONTRACT_STATUSES = ['DRAFT', 'ACTIVE', 'SUSPENDED', 'TERMINATED', 'EXPIRED'] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

export type ContractTerms = Readonly<{
  customerId: string;
  title: string;
  terms?: string;
  /** ISO instants; `endsAt` after `startsAt` when set. */
  startsAt: string;
  endsAt?: string;
}>;

type Known = ContractTerms & Readonly<{ contractId: string; createdAt: string; updatedAt: string }>;

export type ContractState =
  | Readonly<{ status: 'NONE' }>
  | Readonly<{ status: Exclude<ContractStatus, 'TERMINATED' | 'EXPIRED'> } & Known>
  | Readonly<{ status: 'TERMINATED' | 'EXPIRED'; endedAt: string } & Known>;

export const initialContractState = (): ContractState => ({ status: 'NONE' });
