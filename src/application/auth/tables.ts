import type { Instant } from '../../db/index.js';
import type { ColumnType } from 'kysely';


export type CredentialsTable = {
  user_id: string;
  email: string;
  password_hash: string;
  created_at: Instant;
  updated_at: Instant;
};

export type RefreshTokensTable = {
  token_hash: string;
  family_id: string;
  user_id: string;
  issued_at: Instant;
  expires_at: Instant;
  used_at: Instant | null;
  revoked_at: Instant | null;
  /** The user's deactivation count when the session began (UserState.deactivations): a deactivation since ends the session. */
  user_deactivations: ColumnType<number, number | undefined, number>;
};

/** rate-limiter-flexible's PostgreSQL store; the library writes it, the app only names it. */
export type RateLimitsTable = {
  key: string;
  points: number;
  expire: string | null;
};

/** An API process answering from its own view of users (see accessView): what it promises, and until when. */
export type AccessViewsTable = {
  holder: string;
  /** Wire form (`commit/prepare`); null promises nothing yet. */
  position: string | null;
  expires_at: Instant;
  fenced: ColumnType<boolean, boolean | undefined, boolean>;
};

/** The tables this module owns; src/root/database.ts gathers every module's map into the Database. */
export type AuthTables = {
  'auth.credentials': CredentialsTable;
  'auth.refresh_tokens': RefreshTokensTable;
  'auth.rate_limits': RateLimitsTable;
  'auth.access_views': AccessViewsTable;
};
