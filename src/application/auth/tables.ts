import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type CredentialsTable = {
  user_id: string;
  email: string;
  password_hash: string;
  created_at: Timestamp;
  updated_at: Timestamp;
};

export type RefreshTokensTable = {
  token_hash: string;
  family_id: string;
  user_id: string;
  issued_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  /** The user's deactivation count when the session began (UserState.deactivations): a deactivation since ends the session. */
  user_deactivations: ColumnType<number, number | undefined, number>;
};

/** rate-limiter-flexible's PostgreSQL store; the library writes it, the app only names it. */
export type RateLimitsTable = {
  key: string;
  points: number;
  expire: string | null;
};

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type AuthTables = {
  'auth.credentials': CredentialsTable;
  'auth.refresh_tokens': RefreshTokensTable;
  'auth.rate_limits': RateLimitsTable;
};
