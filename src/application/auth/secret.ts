import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * The access-token key: JWT_SECRET when set; otherwise one generated on first
 * start and kept in DATA_DIR, so tokens survive restarts of a single instance.
 * Several instances must share JWT_SECRET.
 */
export const loadJwtSecret = async (configured: string | undefined, dataDir: string): Promise<string> => {
  if (configured) return configured;
  const file = path.join(dataDir, 'jwt-secret');
  const existing = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (existing && existing.trim().length >= 32) return existing.trim();
  await fs.mkdir(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  await fs.writeFile(file, secret, { mode: 0o600, flag: 'w' });
  return secret;
};
