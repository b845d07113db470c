import type { Selectable } from 'kysely';
import type { Role } from '../../domain/shared/index.js';
import { rowView, type RowView } from '../runtime/index.js';
import type { UsersTable } from './table.js';
import type { Db } from '../../db/index.js';

/** A user as the API shows it: its row, in camelCase (rowView). */
export type UserView = RowView<Omit<Selectable<UsersTable>, 'revision'>> & Readonly<{ revision: bigint }>;

type Row = Selectable<UsersTable>;

const toView = (row: Row): UserView => ({ ...rowView(row), revision: BigInt(row.revision) });

export const getUser = async (db: Db, userId: string): Promise<UserView | undefined> => {
  const row = await db.selectFrom('read.users').selectAll().where('user_id', '=', userId).executeTakeFirst();
  return row && toView(row);
};

export type UserFilter = Readonly<{ role?: Role; active?: boolean; after?: string; limit: number; onlyUserId?: string }>;

/** Keyset pagination on user_id (UUIDv7, so registration order). Returns one row more than asked when there are more. */
export const listUsers = async (db: Db, filter: UserFilter): Promise<UserView[]> => {
  let query = db.selectFrom('read.users').selectAll().orderBy('user_id').limit(filter.limit + 1);
  if (filter.role) query = query.where('role', '=', filter.role);
  if (filter.active !== undefined) query = query.where('active', '=', filter.active);
  if (filter.after) query = query.where('user_id', '>', filter.after);
  if (filter.onlyUserId) query = query.where('user_id', '=', filter.onlyUserId);
  return (await query.execute()).map(toView);
};
