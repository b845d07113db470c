import type { Middleware } from 'koa';
import type { Logger } from 'winston';
import { AppError, NotFoundError, RateLimitedError, type ErrorKind } from '../../domain/shared/index.js';
import type { ApiState } from './types.js';

export type ErrorCode =
  | 'VALIDATION_ERROR'
  | 'AUTHENTICATION_ERROR'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PRECONDITION_FAILED'
  | 'METHOD_NOT_ALLOWED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'NOT_READY'
  | 'INTERNAL_ERROR';

export type ErrorBody = {
  error: {
    code: ErrorCode;
    reason?: string;
    message: string;
    details?: Readonly<Record<string, unknown>>;
    requestId: string;
  };
};

/** The one place a kind of error becomes an HTTP status. */
const byKind: Readonly<Record<ErrorKind, readonly [number, ErrorCode]>> = {
  invalid: [400, 'VALIDATION_ERROR'],
  unauthenticated: [401, 'AUTHENTICATION_ERROR'],
  forbidden: [403, 'FORBIDDEN'],
  not_found: [404, 'NOT_FOUND'],
  conflict: [409, 'CONFLICT'],
  // The caller's If-Match no longer holds: a conflict the caller asked to hear about as 412.
  precondition_failed: [412, 'PRECONDITION_FAILED'],
  unsupported: [415, 'UNSUPPORTED_MEDIA_TYPE'],
  rate_limited: [429, 'RATE_LIMITED'],
  not_ready: [503, 'NOT_READY'],
  internal: [500, 'INTERNAL_ERROR'],
};

/** Errors raised by Koa's own middleware (body parsing, for one) carry an HTTP status. */
const byStatus: Readonly<Record<number, [ErrorCode, string]>> = {
  400: ['VALIDATION_ERROR', 'request.malformed'],
  413: ['PAYLOAD_TOO_LARGE', 'request.body_too_large'],
  415: ['UNSUPPORTED_MEDIA_TYPE', 'request.unsupported_media_type'],
};

/** The router answers these itself, with an Allow header but no body. */
const byBareStatus: Readonly<Record<number, [ErrorCode, string]>> = {
  405: ['METHOD_NOT_ALLOWED', 'request.method_not_allowed'],
  501: ['METHOD_NOT_ALLOWED', 'request.method_not_implemented'],
};

type HttpishError = { status?: number; message?: string };

/** Where the caller's credentials are refused, the answer says which scheme to use (RFC 6750 §3). */
const challenge = (err: AppError): string =>
  err.reason === 'auth.missing_token' ? 'Bearer realm="billstream"' : 'Bearer realm="billstream", error="invalid_token"';

/** The answer to an error: its status, headers and envelope. Unknown errors are logged and answered as a bare 500. */
export const answerTo = (err: unknown, requestId: string, logger: Logger): { status: number; headers: Record<string, string>; body: ErrorBody } => {
  // An internal error is a 500 like any unknown one: logged, and answered without its message.
  if (err instanceof AppError && err.kind !== 'internal') {
    const mapped = byKind[err.kind];
    const headers: Record<string, string> = {};
    if (err instanceof RateLimitedError) headers['Retry-After'] = String(err.retryAfterSeconds);
    if (err.kind === 'unauthenticated') headers['WWW-Authenticate'] = challenge(err);
    return {
      status: mapped[0],
      headers,
      body: { error: { code: mapped[1], reason: err.reason, message: err.message, ...(err.details && { details: err.details }), requestId } },
    };
  }
  const http = err as HttpishError;
  // Client errors from Koa's own parts; some (inflation's 415) are not marked `expose`.
  const known = http.status !== undefined ? byStatus[http.status] : undefined;
  if (known && http.status) {
    return { status: http.status, headers: {}, body: { error: { code: known[0], reason: known[1], message: http.message ?? known[1], requestId } } };
  }
  logger.error('unhandled error', { err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err) });
  return { status: 500, headers: {}, body: { error: { code: 'INTERNAL_ERROR', message: 'internal error', requestId } } };
};

/**
 * The one place that turns errors into the envelope. It runs first, so it also
 * catches what other middleware throws. Unknown errors are logged with their
 * stack and answered with a bare 500: no internals leave the process.
 */
export const errorMiddleware = (fallbackLogger: Logger): Middleware<ApiState> => async (ctx, next) => {
  try {
    await next();
    if (ctx.body === undefined && ctx.status === 404) {
      throw new NotFoundError('route.not_found', `no route for ${ctx.method} ${ctx.path}`);
    }
    const bare = ctx.body === undefined ? byBareStatus[ctx.status] : undefined;
    if (bare) {
      ctx.body = {
        error: { code: bare[0], reason: bare[1], message: `${ctx.method} is not allowed on ${ctx.path}`, requestId: ctx.state.requestId },
      } satisfies ErrorBody;
    }
  } catch (err) {
    // requestContext runs inside this middleware and sets the id before anything can throw.
    const answer = answerTo(err, ctx.state.requestId ?? 'unknown', ctx.state.logger ?? fallbackLogger);
    ctx.status = answer.status;
    ctx.set(answer.headers);
    ctx.body = answer.body;
  }
};
