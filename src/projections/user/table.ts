import type { ColumnType } from 'kysely';
import type { Int8 } from '../../root/database.js';

export type UsersTable = {
  user_id: string;
  email: string;
  display_name: string;
  role: string;
  active: boolean;
  revision: Int8;
  registered_at: ColumnType<Date, Date | string, Date | string>;
  updated_at: ColumnType<Date, Date | string, Date | string>;
};
