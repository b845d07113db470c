import type { Selectable } from 'kysely';
import type { Db } from '../../db/index.js';
import type { ContractStatus } from '../../domain/contract/index.js';
import { rowView, type RowView } from '../runtime/index.js';
import type { ContractsTable } from './table.js';

/** A contract as the API shows it: its row, in camelCase (rowView). */
export type ContractView = RowView<Omit<Selectable<ContractsTable>, 'revision'>> & Readonly<{ revision: bigint }>;

const toView = (row: Selectable<ContractsTable>): ContractView => ({ ...rowView(row), revision: BigInt(row.revision) });

export const getContract = async (db: Db, contractId: string): Promise<ContractView | undefined> => {
  const row = await db.selectFrom('read.contracts').selectAll().where('contract_id', '=', contractId).executeTakeFirst();
  return row && toView(row);
};

export type ContractFilter = Readonly<{
  customerId?: string;
  status?: ContractStatus;
  /** Contracts of the customers this user owns now (owners change, so never copied onto contracts). */
  ownerUserId?: string;
  after?: string;
  limit: number;
}>;

/** Keyset pagination on contract_id (UUIDv7, so creation order). Returns one row more than asked when there are more. */
export const listContracts = async (db: Db, filter: ContractFilter): Promise<ContractView[]> => {
  let query = db.selectFrom('read.contracts').selectAll().orderBy('contract_id').limit(filter.limit + 1);
  if (filter.customerId) query = query.where('customer_id', '=', filter.customerId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.ownerUserId) {
    const owner = filter.ownerUserId;
    query = query.where('customer_id', 'in', (eb) =>
      eb.selectFrom('read.customers').select('read.customers.customer_id').where('owner_user_id', '=', owner),
    );
  }
  if (filter.after) query = query.where('contract_id', '>', filter.after);
  return (await query.execute()).map(toView);
};
