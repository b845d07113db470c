import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ColumnType } from 'kysely';
import type { Db, Instant } from '../../db/index.js';
import type { ApiKeyMode } from '../../domain/apiKey/index.js';

/** One row per API key: its secret's hash, never the secret (migrations/…_api_key_secrets). */
export type ApiKeySecretsTable = {
  key_id: string;
  secret_hash: Buffer;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  last_used_at: Instant | null;
};

export type ApiKeyTables = { 'auth.api_key_secrets': ApiKeySecretsTable };

/**
 * `bsk_<mode>_<32 hex of the key id>_<64 hex of a 256-bit secret>`: the key
 * id is found without a scan, and the mode tells a test key from a live one
 * at a glance (and in a secret scanner's rules).
 */
const TOKEN = /^bsk_(live|test)_([0-9a-f]{32})_([0-9a-f]{64})$/;

export type ParsedKey = Readonly<{ mode: ApiKeyMode; keyId: string; secret: string }>;

export const isApiKeyToken = (token: string): boolean => token.startsWith('bsk_');

export const parseApiKey = (token: string): ParsedKey | undefined => {
  const match = TOKEN.exec(token);
  return match ? { mode: match[1] as ApiKeyMode, keyId: `key_${match[2]!}`, secret: match[3]! } : undefined;
};

export const newSecret = (): string => randomBytes(32).toString('hex');

export const tokenOf = (mode: ApiKeyMode, keyId: string, secret: string): string => `bsk_${mode}_${keyId.slice('key_'.length)}_${secret}`;

/** The secret is 256 random bits: a plain SHA-256 cannot be searched back, and no pepper is needed. */
const hashOf = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();

export const storeSecret = async (db: Db, keyId: string, secret: string): Promise<void> => {
  await db.insertInto('auth.api_key_secrets').values({ key_id: keyId, secret_hash: hashOf(secret) }).execute();
};

export const forgetSecret = async (db: Db, keyId: string): Promise<void> => {
  await db.deleteFrom('auth.api_key_secrets').where('key_id', '=', keyId).execute();
};

/** Whether `secret` is the key's: compared in constant time. */
export const secretMatches = async (db: Db, keyId: string, secret: string): Promise<boolean> => {
  const row = await db.selectFrom('auth.api_key_secrets').select('secret_hash').where('key_id', '=', keyId).executeTakeFirst();
  return row !== undefined && timingSafeEqual(row.secret_hash, hashOf(secret));
};

export const markUsed = async (db: Db, keyId: string, at: Date): Promise<void> => {
  await db.updateTable('auth.api_key_secrets').set({ last_used_at: at }).where('key_id', '=', keyId).execute();
};

export const lastUsedOf = async (db: Db, keyIds: readonly string[]): Promise<ReadonlyMap<string, Date>> => {
  if (keyIds.length === 0) return new Map();
  const rows = await db.selectFrom('auth.api_key_secrets').select(['key_id', 'last_used_at']).where('key_id', 'in', keyIds).execute();
  return new Map(rows.flatMap((r) => (r.last_used_at ? [[r.key_id, new Date(r.last_used_at)] as const] : [])));
};
