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
import compose from 'koa-compose';
import type { Kysely } from 'kysely';
import type { createRegistration, Sessions, TokenService, UserCommands } from '../accounts/index.js';
import type { Database, ProjectionRunner } from '../projections/index.js';
import { getUser } from '../projections/users/index.js';
import { authRoutes } from './auth/routes.js';
import { authenticate, type PrincipalLookup } from './middleware/authenticate.js';
import { rateLimit } from './middleware/rateLimit.js';
import { userRoutes } from './users/routes.js';
import { auditRoutes } from './audit/routes.js';
import { streamRoutes } from './streams/routes.js';
import type { EventStore } from '../eventstore/index.js';

export type AppDeps = Readonly<{
  logger: Logger;
  metrics: Metrics;
  health: HealthDeps;
  db: Kysely<Database>;
  store: EventStore;
  projections: ProjectionRunner;
  accounts: Readonly<{
    register: ReturnType<typeof createRegistration>;
    sessions: Sessions;
    users: UserCommands;
    tokens: TokenService;
  }>;
  limits: Readonly<{ authPerMinutePerIp: number; perMinutePerPrincipal: number }>;
  minPositionWaitMs: number;
  /** JSON bodies above this are refused with 413. */
  bodyLimit?: string;
}>;

/** The read model answers quickly; right after registration, before it has caught up, the stream answers. */
const principalLookup =
  (db: Kysely<Database>, users: UserCommands): PrincipalLookup =>
  async (userId) => {
    const view = await getUser(db, userId);
    if (view) return view.active ? { userId, role: view.role } : 'inactive';
    const state = await users.currentUser(userId);
    if (state.status === 'unregistered') return undefined;
    return state.status === 'active' ? { userId, role: state.role } : 'inactive';
  };

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

  const auth = authRoutes({ register: deps.accounts.register, sessions: deps.accounts.sessions });
  const perIp = rateLimit({ points: deps.limits.authPerMinutePerIp, durationSeconds: 60, key: (ctx) => `ip:${ctx.ip}` });
  app.use(async (ctx, next) => (ctx.path.startsWith('/v1/auth/') ? perIp(ctx, next) : next()));
  app.use(auth.routes()).use(auth.allowedMethods());

  const perPrincipal = rateLimit({
    points: deps.limits.perMinutePerPrincipal,
    durationSeconds: 60,
    key: (ctx) => `principal:${ctx.state.principal?.userId}`,
  });
  const authenticated = compose([authenticate(deps.accounts.tokens, principalLookup(deps.db, deps.accounts.users)), perPrincipal]);
  const users = userRoutes({
    db: deps.db,
    users: deps.accounts.users,
    projections: deps.projections,
    authenticated,
    waitMs: deps.minPositionWaitMs,
  });
  app.use(users.routes()).use(users.allowedMethods());
  const audit = auditRoutes({ db: deps.db, projections: deps.projections, authenticated, waitMs: deps.minPositionWaitMs });
  app.use(audit.routes()).use(audit.allowedMethods());
  const streams = streamRoutes({ store: deps.store, authenticated });
  app.use(streams.routes()).use(streams.allowedMethods());

  const metricsRouter = new Router<ApiState>();
  metricsRouter.get('/metrics', async (ctx) => {
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
  app.use(metricsRouter.routes());

  return app;
};
