export { usersProjection, USERS_PROJECTION } from './projection.js';
export { getUser, listUsers, type UserView, type UserFilter } from './queries.js';
export type { UsersTable } from './table.js';
export type { UserTables } from './table.js';
