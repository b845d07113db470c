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
export type { CredentialsTable, RefreshTokensTable, RateLimitsTable, AccessViewsTable } from './tables.js';
export { loadJwtSecret } from './secret.js';
export type { AuthTables } from './tables.js';
export { accessBarrier, accessChanges, type AccessBarrier } from './accessBarrier.js';
export { createAccessView, type AccessView } from './accessView.js';
