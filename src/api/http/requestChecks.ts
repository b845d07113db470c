import type { Middleware } from 'koa';
import { findUnsafeText, MAX_INPUT_DEPTH, UNSAFE_TEXT_MESSAGE, ValidationError, type TextProblem } from '../../domain/shared/index.js';
import { UnsupportedMediaTypeError } from '../../domain/shared/index.js';
import type { ApiState } from './types.js';

const ENCODINGS = new Set(['identity', 'gzip', 'deflate', 'br']);

/**
 * Bodies are JSON, plain or compressed with an encoding we can undo. Anything
 * else is refused with 415 before a byte of it is read.
 */
export const bodyFormat: Middleware<ApiState> = async (ctx, next) => {
  // An empty body (Content-Length: 0, as fetch sends for a bare PATCH) needs no type.
  const length = ctx.request.length;
  const hasBody = ctx.get('Transfer-Encoding') !== '' || (length !== undefined && length > 0);
  if (hasBody) {
    if (!ctx.request.is('application/json', '+json')) {
      throw new UnsupportedMediaTypeError('request.unsupported_content_type', 'request bodies must be application/json');
    }
    const encoding = (ctx.get('Content-Encoding') || 'identity').trim().toLowerCase();
    if (!ENCODINGS.has(encoding)) {
      throw new UnsupportedMediaTypeError(
        'request.unsupported_content_encoding',
        `Content-Encoding must be one of ${[...ENCODINGS].join(', ')}`,
      );
    }
  }
  await next();
};

const decoded = (path: string): string => {
  try {
    return decodeURIComponent(path);
  } catch {
    // Malformed escapes stay as they are: routes then refuse them as ids.
    return path;
  }
};

const refuse = (location: string, { kind, path }: TextProblem) => {
  const message = kind === 'unsafe' ? UNSAFE_TEXT_MESSAGE : `must not nest deeper than ${MAX_INPUT_DEPTH} levels`;
  return new ValidationError(kind === 'unsafe' ? 'request.unsafe_text' : 'request.too_deep', `${location} ${message}`, {
    fields: [{ location, path: path.join('.'), message }],
  });
};

/**
 * Every string a request carries (path, query, body, keys included) is safe
 * text before any route sees it, whatever schema that route declares, so no
 * route added later can let one through to PostgreSQL.
 */
export const safeInput: Middleware<ApiState> = async (ctx, next) => {
  const inPath = findUnsafeText(decoded(ctx.path));
  if (inPath) throw refuse('path', inPath);
  const inQuery = findUnsafeText(ctx.query);
  if (inQuery) throw refuse('query', inQuery);
  const inBody = findUnsafeText((ctx.request as { body?: unknown }).body);
  if (inBody) throw refuse('body', inBody);
  await next();
};
