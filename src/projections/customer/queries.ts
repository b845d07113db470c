import { sql, type Selectable } from 'kysely';
import type { Db } from '../../db/index.js';
import { rowView, type RowView } from '../runtime/index.js';
import type { CustomersTable } from './table.js';

/** A customer as the API shows it: its row, in camelCase (rowView), with its credit balance by currency (minor units). */
export type CustomerView = RowView<Omit<Selectable<CustomersTable>, 'revision'>> & Readonly<{ credit: Readonly<Record<string, number>>; revision: bigint }>;

type Row = Selectable<CustomersTable> & { credit: Record<string, number> };

const toView = (row: Row): CustomerView => ({ ...rowView(row), revision: BigInt(row.revision) });

/** Customers with their balances folded into one jsonb object (numbers: balances are safe integers). */
const customers = (db: Db) =>
  db
    .selectFrom('read.customers as c')
    .selectAll('c')
    .select((eb) =>
      eb.fn
        .coalesce(
          eb
            .selectFrom('read.customer_credit_balances as b')
            .select(sql<Record<string, number>>`jsonb_object_agg(b.currency, b.balance)`.as('credit'))
            .whereRef('b.customer_id', '=', 'c.customer_id'),
          sql<Record<string, number>>`'{}'::jsonb`,
        )
        .as('credit'),
    );

export const getCustomer = async (db: Db, customerId: string): Promise<CustomerView | undefined> => {
  const row = await customers(db).where('c.customer_id', '=', customerId).executeTakeFirst();
  return row && toView(row);
};

export type CustomerFilter = Readonly<{ ownerUserId?: string; after?: string; limit: number }>;

/** Keyset pagination on customer_id (UUIDv7, so creation order). Returns one row more than asked when there are more. */
export const listCustomers = async (db: Db, filter: CustomerFilter): Promise<CustomerView[]> => {
  let query = customers(db).orderBy('c.customer_id').limit(filter.limit + 1);
  if (filter.ownerUserId) query = query.where('c.owner_user_id', '=', filter.ownerUserId);
  if (filter.after) query = query.where('c.customer_id', '>', filter.after);
  return (await query.execute()).map(toView);
};

/** The customer's owner: undefined when there is no such customer, null when it has no owner. */
export const ownerOfCustomer = async (db: Db, customerId: string): Promise<string | null | undefined> => {
  const row = await db
    .selectFrom('read.customers')
    .select('owner_user_id')
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  return row && row.owner_user_id;
};
