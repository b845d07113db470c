import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import pLimit from 'p-limit';
import { RateLimitedError } from '../../domain/shared/index.js';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCallback(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );

/** OWASP's scrypt floor is N=2^17 with r=8, p=1; the parameters are stored with each hash, so they can rise later. */
export type ScryptParams = Readonly<{ N: number; r: number; p: number }>;
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

/** scrypt's parameters for a configured cost, log2(N): 17 in production, lower in tests. */
export const scryptParams = (cost: number): ScryptParams => ({ ...DEFAULT_SCRYPT, N: 2 ** cost });

const KEY_LENGTH = 64;
const maxmem = ({ N, r }: ScryptParams) => 256 * N * r;

/** `scrypt$N$r$p$salt$hash`, base64url: everything needed to verify, nothing secret. */
export const hashPassword = async (password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> => {
  const salt = randomBytes(16);
  const key = await scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...params, maxmem: maxmem(params) });
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
};

export const verifyPassword = async (password: string, stored: string): Promise<boolean> => {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(password.normalize('NFKC'), Buffer.from(salt, 'base64url'), expected.length, {
    ...params,
    maxmem: maxmem(params),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
};

/** Too many password hashes are already running or waiting; the caller should retry shortly. */
export class BusyError extends RateLimitedError {
  constructor(retryAfterSeconds: number) {
    super(retryAfterSeconds, 'auth.busy', `too many sign-ins in progress; retry in ${retryAfterSeconds} s`);
  }
}

export type PasswordHasherOptions = Readonly<{
  params: ScryptParams;
  /** Hashes running at once. Each holds one of libuv's 4 threads, which jose and pg's SCRAM need too. */
  maxConcurrent: number;
  /** Hashes allowed to wait for a slot; beyond that, BusyError at once. */
  maxQueued: number;
}>;

export type PasswordHasher = Readonly<{
  hash: (password: string) => Promise<string>;
  verify: (password: string, stored: string) => Promise<boolean>;
  /** The stored hash was made with other parameters than this hasher's. */
  isOutdated: (stored: string) => boolean;
}>;

/**
 * scrypt at N=2^17 costs 128 MiB and a thread for ~100 ms. Unbounded, a burst
 * of logins fills libuv's thread pool and every other request waits behind it;
 * bounded, the burst gets 429 with Retry-After and the rest of the API keeps
 * its latency.
 */
export const createPasswordHasher = (options: PasswordHasherOptions): PasswordHasher => {
  const limit = pLimit(options.maxConcurrent);
  const gated = <T>(work: () => Promise<T>): Promise<T> => {
    if (limit.activeCount + limit.pendingCount >= options.maxConcurrent + options.maxQueued) {
      return Promise.reject(new BusyError(1));
    }
    return limit(work);
  };
  const current = ['scrypt', options.params.N, options.params.r, options.params.p].join('$') + '$';
  return {
    hash: (password) => gated(() => hashPassword(password, options.params)),
    verify: (password, stored) => gated(() => verifyPassword(password, stored)),
    isOutdated: (stored) => !stored.startsWith(current),
  };
};
