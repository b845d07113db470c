import type { Middleware } from 'koa';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '../errors.js';
import type { ApiState } from '../types.js';

export type RateLimitOptions = Readonly<{ points: number; durationSeconds: number; key: (ctx: { ip: string; state: ApiState }) => string }>;

/** 429 RATE_LIMITED with Retry-After, per key (client IP, or principal). Counted in this process. */
export const rateLimit = (options: RateLimitOptions): Middleware<ApiState> => {
  const limiter = new RateLimiterMemory({ points: options.points, duration: options.durationSeconds });
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
