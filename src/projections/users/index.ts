export { usersProjection, USERS_PROJECTION } from './projection.js';
export type { UsersTable } from './table.js';
