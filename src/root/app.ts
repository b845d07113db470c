import { type Clock } from '../clock/index.js';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import helmet from 'koa-helmet';
import cors from '@koa/cors';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Logger } from 'winston';
import { type createRegistration } from '../application/auth/index.js';
import { type Sessions } from '../application/auth/index.js';
import { type TokenService } from '../application/auth/index.js';
import { type UserCommands } from '../application/user/index.js';
import type { AccessView } from '../application/auth/index.js';
import { ValidationError } from '../domain/shared/index.js';
import type { EventStore } from '../eventstore/index.js';
import type { Database } from './database.js';
import type { ProjectionRunner } from '../projections/runtime/index.js';
import type { ContractCascades } from '../application/contract/index.js';
import { type Commerce } from '../application/index.js';
import type { InvoiceCommands } from '../application/invoice/index.js';
import type { CollectionCommands } from '../application/collection/index.js';
import { accessControl } from '../api/http/index.js';
import { testClockRoutes } from '../api/clock/index.js';
import type { TestClock } from '../application/clock/index.js';
import { contractRoutes } from '../api/contract/index.js';
import { customerRoutes } from '../api/customer/index.js';
import { planRoutes } from '../api/plan/index.js';
import { subscriptionRoutes } from '../api/subscription/index.js';
import { invoiceRoutes } from '../api/invoice/index.js';
import { ledgerRoutes } from '../api/ledger/index.js';
import { creditNoteRoutes } from '../api/creditNote/index.js';
import { refundRoutes } from '../api/refund/index.js';
import { taxRateRoutes } from '../api/taxRate/index.js';
import { couponRoutes } from '../api/coupon/index.js';
import type { CreditNotes } from '../application/creditNote/index.js';
import type { PaymentGateway } from '../application/payment/index.js';
import { jobRoutes } from '../api/job/index.js';
import { auditRoutes } from '../api/audit/index.js';
import { authRoutes } from '../api/auth/index.js';
import { healthRoutes, type HealthDeps } from '../api/health/index.js';
import { metricsMiddleware, type Metrics } from '../api/http/index.js';
import { authenticate, type ActorLookup } from '../api/http/index.js';
import { errorMiddleware } from '../api/http/index.js';
import { idempotency } from '../api/http/index.js';
import { rateLimit } from '../api/http/index.js';
import { requestContext } from '../api/http/index.js';
import { bodyFormat, safeInput } from '../api/http/index.js';
import { createRouter, routesOf, type RouteInfo } from '../api/http/index.js';
import { streamRoutes } from '../api/stream/index.js';
import type { ApiState } from '../api/http/index.js';
import { userRoutes } from '../api/user/index.js';
import { apiKeyRoutes } from '../api/apiKey/index.js';
import { webhookRoutes } from '../api/webhook/index.js';
import type { WebhookEndpoints } from '../application/webhook/index.js';
import type { ApiKeyCommands } from '../application/apiKey/index.js';
import { scopeOf } from './scopes.js';
import { docsRoutes, openApiDocument } from '../api/docs/index.js';
import { WEBHOOK_EVENT_TYPES } from '../domain/webhook/index.js';
import { createRequire } from 'node:module';

export type AppDeps = Readonly<{
  logger: Logger;
  metrics: Metrics;
  health: HealthDeps;
  db: Kysely<Database>;
  /** Rate-limit counters live in this PostgreSQL, shared by every instance. */
  pool: pg.Pool;
  store: EventStore;
  projections: ProjectionRunner;
  accounts: Readonly<{
    register: ReturnType<typeof createRegistration>;
    sessions: Sessions;
    users: UserCommands;
    tokens: TokenService;
    /** Who a caller is now, in memory, when this process's view can say. */
    view: Pick<AccessView, 'actor'>;
    /** Servers' credentials: made by ADMIN and MANAGER, acting within their scopes and their maker's role. */
    apiKeys: ApiKeyCommands;
  }>;
  commerce: Commerce;
  /** Outbound webhook endpoints: their commands, replay and test messages. */
  webhookEndpoints: WebhookEndpoints;
  /** Finalising and voiding invoices; the billing engine creates them. */
  invoices: InvoiceCommands;
  /** Paying an invoice now (a charge job) and writing it off. */
  collections: CollectionCommands;
  /** Present only with CLOCK=simulated: the test clock's routes exist only then. */
  testClock?: TestClock;
  /** The contract cascades' progress: a read of a subscription can wait for them with X-Min-Position. */
  cascades: Pick<ContractCascades, 'waitFor'>;
  creditNotes: CreditNotes;
  /** The gateway's record of money moved, which the ledger's cash must equal. */
  gateway: Pick<PaymentGateway, 'totals'>;
  limits: Readonly<{ authPerMinutePerIp: number; perMinutePerPrincipal: number; payAttemptsPerDay: number }>;
  /** Browser origins allowed to call the API; none: no CORS headers at all. */
  corsOrigins?: readonly string[];
  minPositionWaitMs: number;
  /** JSON bodies above this are refused with 413. */
  bodyLimit?: string;
  /** Answers to POSTs with an Idempotency-Key are kept for retentionMs. */
  idempotency: Readonly<{ clock: Clock; retentionMs: number }>;
}>;

export type Api = Readonly<{ app: Koa<ApiState>; routes: readonly RouteInfo[] }>;

/**
 * The process's view of users says who they are now, when it can (a change
 * of access answers only once every view has it); otherwise the user's own
 * stream does. A read model could lag behind a deactivation.
 */
const actorLookup =
  (users: UserCommands, view: Pick<AccessView, 'actor'>): ActorLookup =>
  async (userId) => {
    const known = view.actor(userId);
    if (known) return known;
    const state = await users.currentUser(userId);
    if (state.status === 'unregistered') return undefined;
    return state.status === 'active' ? { id: userId, role: state.role } : 'inactive';
  };

/** Corrupt compressed bodies fail inside zlib, with codes such as Z_DATA_ERROR or ERR__ERROR_FORMAT_PADDING_1. */
const isDecompressionError = (err: unknown): boolean => {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('Z_') || code.startsWith('ERR__') || code.startsWith('ERR_BROTLI'));
};

export const createApp = (deps: AppDeps): Api => {
  const router = createRouter();
  const mount = (sub: ReturnType<typeof createRouter>) => router.use(sub.routes());
  mount(healthRoutes(deps.health));
  mount(authRoutes({ register: deps.accounts.register, sessions: deps.accounts.sessions }));
  mount(userRoutes({ db: deps.db, users: deps.accounts.users, projections: deps.projections, waitMs: deps.minPositionWaitMs }));
  mount(apiKeyRoutes({ db: deps.db, store: deps.store, apiKeys: deps.accounts.apiKeys, projections: deps.projections, waitMs: deps.minPositionWaitMs }));
  const commerceDeps = {
    db: deps.db,
    store: deps.store,
    commerce: deps.commerce,
    projections: deps.projections,
    cascades: deps.cascades,
    waitMs: deps.minPositionWaitMs,
  };
  mount(customerRoutes(commerceDeps));
  mount(planRoutes(commerceDeps));
  mount(contractRoutes(commerceDeps));
  mount(subscriptionRoutes(commerceDeps));
  // A USER's manual charges per invoice, so a stolen session cannot test cards or run up gateway fees; operators are not counted.
  const payQuota = rateLimit({
    pool: deps.pool,
    name: 'pay',
    points: deps.limits.payAttemptsPerDay,
    durationSeconds: 86_400,
    key: (ctx) => `${ctx.state.actor!.id}:${(ctx.state.valid as { params: { id: string } }).params.id}`,
  });
  mount(invoiceRoutes({ ...commerceDeps, invoices: deps.invoices, collections: deps.collections, payQuota }));
  mount(creditNoteRoutes({ ...commerceDeps, creditNotes: deps.creditNotes }));
  mount(refundRoutes(commerceDeps));
  mount(taxRateRoutes(commerceDeps));
  mount(couponRoutes(commerceDeps));
  mount(ledgerRoutes({ db: deps.db, projections: deps.projections, waitMs: deps.minPositionWaitMs, reconcile: { store: deps.store, gateway: deps.gateway } }));
  mount(jobRoutes({ db: deps.db }));
  mount(webhookRoutes({ db: deps.db, endpoints: deps.webhookEndpoints }));
  if (deps.testClock) mount(testClockRoutes(deps.testClock));
  mount(auditRoutes({ db: deps.db, projections: deps.projections, waitMs: deps.minPositionWaitMs }));
  mount(streamRoutes({ store: deps.store }));
  // Read off the whole router, once every route is on it.
  const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };
  mount(docsRoutes(() => openApiDocument({ router, scopeOf, version, webhookTypes: WEBHOOK_EVENT_TYPES })));
  router.get('/metrics', async (ctx) => {
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });

  const app = new Koa<ApiState>();
  // Errors are answered by errorMiddleware; Koa's default handler would only log them twice.
  app.silent = true;
  app.use(errorMiddleware(deps.logger));
  app.use(requestContext(deps.logger));
  app.use(metricsMiddleware(deps.metrics));
  app.use(helmet());
  // Only the origins named: any other gets no Access-Control-* header, so browsers keep its pages out.
  const origins = new Set(deps.corsOrigins ?? []);
  if (origins.size > 0) {
    app.use(
      cors({
        origin: (ctx) => (origins.has(ctx.get('Origin')) ? ctx.get('Origin') : ''),
        allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-Match', 'X-Min-Position', 'X-Request-Id'],
        exposeHeaders: ['ETag', 'X-Position', 'X-Request-Id', 'Retry-After', 'Idempotent-Replayed', 'Location'],
        maxAge: 600,
      }),
    );
  }
  // Who may call, and how often, is settled before a byte of the body is read.
  app.use(
    accessControl({
      router,
      scopeOf,
      authenticate: authenticate({
        verifyToken: (token) => deps.accounts.tokens.verifyAccessToken(token),
        verifyKey: (token) => deps.accounts.apiKeys.verify(token),
        lookup: actorLookup(deps.accounts.users, deps.accounts.view),
      }),
      perIp: rateLimit({
        pool: deps.pool,
        name: 'auth_ip',
        points: deps.limits.authPerMinutePerIp,
        durationSeconds: 60,
        key: (ctx) => ctx.ip,
      }),
      failuresPerIp: rateLimit({
        pool: deps.pool,
        name: 'auth_fail_ip',
        points: deps.limits.authPerMinutePerIp,
        durationSeconds: 60,
        key: (ctx) => ctx.ip,
      }),
      perPrincipal: rateLimit({
        pool: deps.pool,
        name: 'principal',
        points: deps.limits.perMinutePerPrincipal,
        durationSeconds: 60,
        key: (ctx) => ctx.state.actor!.id,
      }),
    }),
  );
  app.use(bodyFormat);
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
        if (isDecompressionError(err)) {
          throw new ValidationError('request.malformed_body', 'the request body could not be decompressed');
        }
        throw err;
      },
    }),
  );
  app.use(safeInput);
  // Every POST route, present and future: the principal is known and the body parsed and checked by now.
  app.use(idempotency({ db: deps.db, router, ...deps.idempotency }));
  app.use(router.routes()).use(router.allowedMethods());
  return { app, routes: routesOf(router) };
};
