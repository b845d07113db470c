export { createUserCommands, type UserCommands, type UserCommandResult } from '../user/commands.js';
export { createRegistration, registrationSchema, type Registration } from './registration.js';
export { createSessions, type Sessions, type Session } from './sessions.js';
export { createTokenService, type TokenService, type AccessClaims } from './tokens.js';
export {
  hashPassword,
  verifyPassword,
  createPasswordHasher,
  scryptParams,
  BusyError,
  DEFAULT_SCRYPT,
  type ScryptParams,
  type PasswordHasher,
} from './passwords.js';
export { ANONYMOUS, contextOf, type Origin } from '../shared/origin.js';
export type { CredentialsTable, RefreshTokensTable, RateLimitsTable } from './tables.js';
export { newId, type IdPrefix } from '../shared/ids.js';
export { loadJwtSecret } from './secret.js';
