import { AppError } from '../../domain/shared/index.js';

/** Too many requests from one client or principal; the answer carries Retry-After. */
export class RateLimitedError extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    reason = 'request.rate_limited',
    message = `too many requests; retry in ${retryAfterSeconds} s`,
  ) {
    super(reason, message, { retryAfterSeconds });
  }
}

/** The body's Content-Type or Content-Encoding is not one the API reads. */
export class UnsupportedMediaTypeError extends AppError {}
