import type { Middleware } from 'koa';
import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '../../domain/shared/index.js';
import type { ApiState } from './types.js';

export type RateLimitOptions = Readonly<{
  pool: pg.Pool;
  /** Separates this limit's counters from the others' in the shared table. */
  name: string;
  points: number;
  durationSeconds: number;
  key: (ctx: { ip: string; state: ApiState }) => string;
}>;

/** Points a process takes from PostgreSQL at once for one key, and spends locally. */
const leaseSize = (points: number) => Math.max(1, Math.min(10, Math.floor(points / 60)));
const MAX_KEYS = 10_000;

type Lease = { left: number; until: number; remaining: number };

/**
 * 429 RATE_LIMITED with Retry-After, per key (client address, or principal).
 * Counters live in PostgreSQL (auth.rate_limits, unlogged: losing them in a
 * crash costs nothing), so every instance behind one address counts together.
 *
 * A process takes points from the shared counter a few at a time (one per
 * request below 60 a minute; at most 10 above 600 a minute) and spends them
 * locally until they run out or the window ends, so a busy principal costs one
 * write per lease rather than per request. No instance ever spends points it
 * did not take, so the limit holds across instances; points an instance took
 * but did not spend are lost at the end of the window (at most 9 per instance
 * and key).
 */
export const rateLimit = (options: RateLimitOptions): Middleware<ApiState> => {
  const limiter = new RateLimiterPostgres({
    storeClient: options.pool,
    storeType: 'pool',
    schemaName: 'auth',
    tableName: 'rate_limits',
    // The migration creates the table; no DDL at run time.
    tableCreated: true,
    keyPrefix: options.name,
    points: options.points,
    duration: options.durationSeconds,
  });
  const size = leaseSize(options.points);
  const leases = new Map<string, Lease>();
  // One request for a lease per key at a time; the others wait for it.
  const acquiring = new Map<string, Promise<void>>();

  const acquire = async (key: string) => {
    const last = leases.get(key);
    // Near the end of the budget, take single points, so none is lost to a lease.
    const take = last && last.until > Date.now() ? Math.max(1, Math.min(size, last.remaining)) : size;
    const res = await limiter.consume(key, take);
    leases.delete(key);
    if (leases.size >= MAX_KEYS) leases.delete(leases.keys().next().value!);
    leases.set(key, { left: take, until: Date.now() + res.msBeforeNext, remaining: res.remainingPoints });
  };

  const spend = async (key: string): Promise<Lease> => {
    for (;;) {
      const lease = leases.get(key);
      if (lease && lease.left > 0 && lease.until > Date.now()) {
        lease.left -= 1;
        return lease;
      }
      let pending = acquiring.get(key);
      if (!pending) {
        pending = acquire(key).finally(() => acquiring.delete(key));
        acquiring.set(key, pending);
      }
      await pending;
    }
  };

  return async (ctx, next) => {
    try {
      const lease = await spend(options.key(ctx));
      ctx.set('RateLimit-Remaining', String(lease.remaining + lease.left));
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      throw new RateLimitedError(Math.max(1, Math.ceil(err.msBeforeNext / 1000)));
    }
    await next();
  };
};
