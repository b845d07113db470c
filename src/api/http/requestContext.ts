import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from 'winston';
import type { ApiState } from './types.js';

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Gives each request an id (the caller's X-Request-Id when it is sane), a child
 * logger carrying it, and one access-log line with status and latency. The line
 * is written when the response finishes, so it shows the status the error
 * middleware (outside this one) chose.
 */
export const requestContext = (logger: Logger): Middleware<ApiState> => async (ctx, next) => {
  const start = process.hrtime.bigint();
  const offered = ctx.get('X-Request-Id');
  const requestId = CLIENT_REQUEST_ID.test(offered) ? offered : randomUUID();
  ctx.state.requestId = requestId;
  ctx.state.logger = logger.child({ requestId });
  ctx.set('X-Request-Id', requestId);
  ctx.res.once('finish', () => {
    const latencyMs = Number(process.hrtime.bigint() - start) / 1e6;
    ctx.state.logger.http('request', {
      method: ctx.method,
      path: ctx.path,
      status: ctx.status,
      latencyMs: Math.round(latencyMs * 100) / 100,
    });
  });
  await next();
};
