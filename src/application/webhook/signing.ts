import { createHmac, randomBytes } from 'node:crypto';
import type { Db } from '../../db/index.js';

/** `whsec_` and 32 random bytes in base64, as Standard Webhooks (and Svix) spell a secret. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/**
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` under each secret given
 * (during a rotation, the new one and the old), space-separated: Standard
 * Webhooks' `webhook-signature`. Made anew for every attempt, with that
 * attempt's timestamp, so a retry is never outside a receiver's tolerance.
 */
export const signatureOf = (secrets: readonly string[], messageId: string, timestampSeconds: number, body: string): string =>
  secrets
    .map((secret) => {
      const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
      return `v1,${createHmac('sha256', key).update(`${messageId}.${timestampSeconds}.${body}`).digest('base64')}`;
    })
    .join(' ');

export const storeWebhookSecret = async (db: Db, endpointId: string, secret: string): Promise<void> => {
  await db.insertInto('webhooks.endpoint_secrets').values({ endpoint_id: endpointId, secret }).execute();
};

/** The secrets an attempt at `now` signs with: the newest, and any older one whose overlap has not ended. Newest first. */
export const signingSecrets = async (db: Db, endpointId: string, now: Date): Promise<string[]> => {
  const rows = await db
    .selectFrom('webhooks.endpoint_secrets')
    .select(['secret', 'expires_at'])
    .where('endpoint_id', '=', endpointId)
    .orderBy('secret_id', 'desc')
    .execute();
  return rows.filter((r, i) => i === 0 || (r.expires_at !== null && new Date(r.expires_at) > now)).map((r) => r.secret);
};

/** A new secret; every older one still unexpired stops being sent at `previousExpiresAt`. */
export const rotateWebhookSecret = async (db: Db, endpointId: string, secret: string, previousExpiresAt: Date): Promise<void> => {
  await db
    .updateTable('webhooks.endpoint_secrets')
    .set({ expires_at: previousExpiresAt })
    .where('endpoint_id', '=', endpointId)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', previousExpiresAt)]))
    .execute();
  await storeWebhookSecret(db, endpointId, secret);
};
