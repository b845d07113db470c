import { AppError } from '../domain/shared/index.js';

/** Too many requests from one client or principal; the answer carries Retry-After. */
export class RateLimitedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('request.rate_limited', `too many requests; retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
}
