import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import helmet from 'koa-helmet';
import type { Logger } from 'winston';
import { ValidationError } from '../domain/shared/index.js';
import { healthRoutes, type HealthDeps } from './health/routes.js';
import { metricsMiddleware, type Metrics } from './metrics.js';
import { errorMiddleware } from './middleware/errors.js';
import { requestContext } from './middleware/requestContext.js';
import type { ApiState } from './types.js';

export type AppDeps = Readonly<{
  logger: Logger;
  metrics: Metrics;
  health: HealthDeps;
  /** JSON bodies above this are refused with 413. */
  bodyLimit?: string;
}>;

export const createApp = (deps: AppDeps): Koa<ApiState> => {
  const app = new Koa<ApiState>();
  // Errors are answered by errorMiddleware; Koa's default handler would only log them twice.
  app.silent = true;

  app.use(errorMiddleware(deps.logger));
  app.use(requestContext(deps.logger));
  app.use(metricsMiddleware(deps.metrics));
  app.use(helmet());
  app.use(
    bodyParser({
      enableTypes: ['json'],
      jsonLimit: deps.bodyLimit ?? '100kb',
      encoding: 'utf-8',
      onError: (err) => {
        // co-body marks size and encoding errors with a status; bad JSON is a bare SyntaxError.
        if (err instanceof SyntaxError) {
          throw new ValidationError('request.malformed_json', 'the request body is not valid JSON');
        }
        throw err;
      },
    }),
  );

  const routes = healthRoutes(deps.health);
  app.use(routes.routes()).use(routes.allowedMethods());

  const metricsRouter = new Router<ApiState>();
  metricsRouter.get('/metrics', async (ctx) => {
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
  app.use(metricsRouter.routes());

  return app;
};
