import type { Middleware } from 'koa';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { ApiState } from './types.js';

export type Metrics = Readonly<{ registry: Registry; httpDuration: Histogram<'method' | 'route' | 'status'> }>;

/** One registry per process, created by the composition root and passed in. */
export const createMetrics = (): Metrics => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'billstream_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return { registry, httpDuration };
};

export const metricsMiddleware = (metrics: Metrics): Middleware<ApiState> => async (ctx, next) => {
  const end = metrics.httpDuration.startTimer({ method: ctx.method });
  try {
    await next();
  } finally {
    // The matched route pattern, never the raw path: ids would explode the label set.
    const route = (ctx as unknown as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
    end({ route, status: String(ctx.status) });
  }
};
