import type { Middleware } from 'koa';
import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '../errors.js';
import type { ApiState } from '../types.js';

export type RateLimitOptions = Readonly<{
  pool: pg.Pool;
  /** Separates this limit's counters from the others' in the shared table. */
  name: string;
  points: number;
  durationSeconds: number;
  key: (ctx: { ip: string; state: ApiState }) => string;
}>;

/**
 * 429 RATE_LIMITED with Retry-After, per key (client address, or principal).
 * Counters live in PostgreSQL (auth.rate_limits, unlogged: losing them in a
 * crash costs nothing), so every instance behind one address counts together.
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
  return async (ctx, next) => {
    try {
      const res = await limiter.consume(options.key(ctx));
      ctx.set('RateLimit-Remaining', String(res.remainingPoints));
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      throw new RateLimitedError(Math.max(1, Math.ceil(err.msBeforeNext / 1000)));
    }
    await next();
  };
};
