import type { ColumnType } from 'kysely';
import type { Int8 } from '../../db/index.js';
import type { Role } from '../../domain/shared/index.js';

export type UsersTable = {
  user_id: string;
  email: string;
  display_name: string;
  role: Role;
  active: boolean;
  revision: Int8;
  registered_at: ColumnType<Date, Date | string, Date | string>;
  updated_at: ColumnType<Date, Date | string, Date | string>;
};

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type UserTables = {
  'read.users': UsersTable;
};
