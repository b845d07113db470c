import { createApiKeyCommands } from '../application/apiKey/index.js';
import { jobsIdle, ROLE_PARTS, TRIGGER_ORDER } from './roles.js';
import { openClocks } from '../clock/index.js';
import type { Server } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import type { Logger } from 'winston';
import { createPasswordHasher, scryptParams } from '../application/auth/index.js';
import { createRegistration } from '../application/auth/index.js';
import { createSessions } from '../application/auth/index.js';
import { createTokenService } from '../application/auth/index.js';
import { createUserCommands, type UserCommands } from '../application/user/index.js';
import { loadJwtSecret } from '../application/auth/index.js';
import { accessChanges, createAccessView, type AccessView } from '../application/auth/index.js';
import { createBilling } from '../application/billing/index.js';
import { createTestClock, type TestClock } from '../application/clock/index.js';

import { billingTriggers } from '../scheduler/billing/index.js';
import { createContractCascades } from '../application/contract/index.js';
import { COLLECTION_QUEUES, type CollectionsProcess } from '../application/collection/index.js';
import { assembleCollections } from './collection.js';
import type { PaymentGateway } from '../application/payment/index.js';
import { createJobs, type Jobs } from '../jobs/index.js';
import { openEventStore, openInfrastructure } from './infrastructure.js';
import { createCommerce, type Commerce } from '../application/index.js';
import { createInvoiceCommands } from '../application/invoice/index.js';
import { createApp } from './app.js';
import type { RouteInfo } from '../api/http/index.js';
import { createMetrics } from '../api/http/index.js';
import type { Config } from '../config/index.js';
import { shareLogReader, type EventStore } from '../eventstore/index.js';
import type { Database } from './database.js';
import { ProjectionRunner, type Projection } from '../projections/runtime/index.js';
import { allProjections } from './projections.js';
import { assembleWebhooks, type Webhooks } from './webhook.js';
import { WEBHOOKS } from '../application/webhook/index.js';
import { leaseHolderId } from '../scheduler/runtime/index.js';
import { leasedTrigger } from '../scheduler/runtime/index.js';
import { Scheduler } from '../scheduler/runtime/index.js';

export type System = Readonly<{
  url: string;
  accounts: Readonly<{ register: ReturnType<typeof createRegistration>; users: UserCommands }>;
  commerce: Commerce;
  db: Kysely<Database>;
  store: EventStore;
  projections: ProjectionRunner;
  jobs: Jobs;
  /** Every route the API serves, from its router. */
  routes: readonly RouteInfo[];
  /** With CLOCK=simulated only: the clock and its advance, as POST /v1/test/clock/advance moves it. */
  testClock: TestClock | undefined;
  stop: () => Promise<void>;
}>;

export type { TestClock } from '../application/clock/index.js';

export type SystemOverrides = Readonly<{
  projections?: readonly Projection[];
  /** Wraps the configured payment gateway: the tests that force interleavings hold a charge at a barrier around the real one. */
  gateway?: (gateway: PaymentGateway) => PaymentGateway;
}>;

/** A process of any role; `system` when it serves the API. */
export type Running = Readonly<{ system: System | undefined; stop: () => Promise<void> }>;

/** The system of a role that serves the API (`all`, `api`), as tests and benchmarks start it. */
export const startSystem = async (config: Config, logger: Logger, overrides: SystemOverrides = {}): Promise<System> => {
  if (!ROLE_PARTS[config.ROLE].api) throw new Error(`role ${config.ROLE} serves no API`);
  return (await startRole(config, logger, overrides)).system!;
};

/** Starts what config.ROLE runs (see ROLE_PARTS). */
export const startRole = async (config: Config, logger: Logger, overrides: SystemOverrides = {}): Promise<Running> => {
  const parts = ROLE_PARTS[config.ROLE];
  const infra = await openInfrastructure(config, logger);
  const store = openEventStore(config, infra, logger);
  // The webhooks' outbox asks for drains once its deliveries commit; the jobs that run them exist once the clocks do.
  let webhooks: Webhooks | undefined;
  const hooks = { webhooksTouched: async (endpointIds: ReadonlySet<string>) => webhooks?.jobs.drain(endpointIds) };
  const projectionNames = (overrides.projections ?? allProjections(hooks)).map((p) => p.name);
  // Every projection and process manager of the process reads the log through one subscription.
  const log = shareLogReader(store);
  const projections = new ProjectionRunner({
    db: infra.db,
    store: log,
    logger,
    projections: overrides.projections ?? allProjections(hooks),
    batchSize: config.PROJECTION_BATCH_SIZE,
  });
  // A process manager, not a read model: its own runner, never rebuilt with them.
  const cascades = createContractCascades({ db: infra.db, store: log, logger });
  const jobs = createJobs({ pool: infra.pool, logger });
  let collections: CollectionsProcess | undefined;
  // Built once the services its triggers use exist; stopped first, before what they write to.
  let scheduler: Scheduler | undefined;
  let server: Server | undefined;
  let accounts: System['accounts'] | undefined;
  let commerceServices: Commerce | undefined;
  let routes: readonly RouteInfo[] = [];
  let testClockService: TestClock | undefined;
  let accessView: AccessView | undefined;

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down: no new requests');
      if (server) {
        // Stop intake first; close() waits for in-flight requests, then idle keep-alives go.
        const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
        server.closeIdleConnections();
        await closed;
      }
      await accessView?.stop();
      await scheduler?.stop();
      // A running job gets half the shutdown's time to finish; then it is released, to be retried.
      await jobs.stop(Math.floor(config.SHUTDOWN_TIMEOUT_MS / 2));
      // They send commands: they stop before the store and the database close.
      await collections?.stop();
      await cascades.stop();
      await projections.stop();
      await store.close();
      await infra.close();
      logger.info('shutdown complete');
    })());

  try {
    await store.start?.();
    projections.start();
    cascades.start();
    // Built once: sessions, tokens and rate limits live on `wall`; commands, billing and triggers on `clock`, the domain's.
    const { wall, domain: clock, simulated } = await openClocks(infra.db, config);
    const billing = createBilling({ store, db: infra.db, clock });
    await jobs.start([...COLLECTION_QUEUES, WEBHOOKS]);
    const collecting = assembleCollections({ config, db: infra.db, store: log, clock, logger, jobs, ...(overrides.gateway && { wrapGateway: overrides.gateway }) });
    collections = collecting.process;
    collections.start();
    // The process whose test clock moves runs the jobs too: an advance waits for them, at its own instants.
    const leases = { db: infra.db, logger, holder: leaseHolderId(), ttlMs: config.SCHEDULER_LEASE_TTL_MS };
    webhooks = assembleWebhooks({ config, db: infra.db, store, clock, wall, logger, jobs, holder: leases.holder, simulated: simulated !== undefined });
    if (parts.workers || (simulated && parts.api)) {
      await collecting.work();
      await webhooks.work();
    }
    const schedules = config.BILLING_RUN_SCHEDULE ? { 'billing-run': config.BILLING_RUN_SCHEDULE } : {};
    const triggers = [
      ...billingTriggers({ db: infra.db, store, clock, billing, logger, schedules }),
      ...collecting.triggers(),
      ...webhooks.triggers(),
    ].map((trigger) => leasedTrigger(trigger, leases));
    // A simulated clock runs the triggers when it is moved, never on the wall clock's schedule.
    scheduler = new Scheduler({ logger, triggers: config.SCHEDULER === 'on' && parts.triggers && !simulated ? triggers : [] });
    scheduler.start();
    const testClock: TestClock | undefined =
      simulated &&
      createTestClock({
        db: infra.db,
        store,
        clock: simulated,
        triggers: [...triggers].sort((a, b) => TRIGGER_ORDER.indexOf(a.name) - TRIGGER_ORDER.indexOf(b.name)),
        settled: async (position, timeoutMs) =>
          (await projections.waitFor(projectionNames, position, timeoutMs)) &&
          (await cascades.waitFor(position, timeoutMs)) &&
          (await collections!.waitFor(position, timeoutMs)) &&
          (await jobsIdle(jobs, timeoutMs)),
        activity: jobs.generation,
        maxSpanMonths: config.CLOCK_MAX_ADVANCE_MONTHS,
      });
    if (!parts.api) {
      logger.info(`billstream ${config.ROLE} running, no HTTP API`, { eventStore: store.kind, workers: parts.workers });
      return { system: undefined, stop };
    }
    const tokens = createTokenService({
      secret: await loadJwtSecret(config.JWT_SECRET, path.resolve(config.DATA_DIR)),
      accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      now: wall.now,
    });
    // Who a caller is, from the log the projections read: answered in memory while every change waits for it.
    accessView = createAccessView({ db: infra.db, log, logger });
    accessView.start();
    const users = createUserCommands({ db: infra.db, store, clock, wall, accessChanged: accessChanges(infra.db, accessView) });
    // One bound for every password hash of the process: logins and registrations share libuv's threads.
    const hasher = createPasswordHasher({
      params: scryptParams(config.SCRYPT_COST),
      maxConcurrent: config.PASSWORD_HASH_CONCURRENCY,
      maxQueued: config.PASSWORD_HASH_QUEUE,
    });
    const accountServices = {
      tokens,
      view: accessView,
      users,
      apiKeys: createApiKeyCommands({ db: infra.db, store, wall, mode: simulated ? 'test' : 'live', logger }),
      register: createRegistration({ db: infra.db, store, clock, users, hasher }),
      sessions: createSessions({ db: infra.db, tokens, users, clock: wall, hasher, refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS }),
    };
    const commerce = createCommerce({
      store,
      clock,
      userExists: async (userId) => (await users.currentUser(userId)).status !== 'unregistered',
    });
    const api = createApp({
      logger,
      metrics: createMetrics(),
      db: infra.db,
      pool: infra.pool,
      store,
      projections,
      accounts: accountServices,
      commerce,
      invoices: createInvoiceCommands({ store, db: infra.db, clock }),
      webhookEndpoints: webhooks.endpoints,
      collections: collecting.commands,
      gateway: collecting.gateway,
      creditNotes: collecting.creditNotes,
      cascades,
      limits: {
        authPerMinutePerIp: config.AUTH_RATE_LIMIT_PER_MINUTE,
        perMinutePerPrincipal: config.API_RATE_LIMIT_PER_MINUTE,
        payAttemptsPerDay: config.PAY_ATTEMPTS_PER_DAY,
      },
      corsOrigins: config.CORS_ORIGINS,
      minPositionWaitMs: config.MIN_POSITION_WAIT_MS,
      ...(testClock && { testClock }),
      idempotency: { clock: wall, retentionMs: config.IDEMPOTENCY_RETENTION_HOURS * 3_600_000 },
      health: {
        pingDatabase: async () => void (await infra.pool.query('select 1')),
        pingEventStore: () => store.ping(),
        projectionStatus: async () => [...(await projections.status()), await cascades.status(), await collections!.status()],
        readyMaxLagMs: config.READY_MAX_LAG_MS,
      },
    });
    accounts = accountServices;
    commerceServices = commerce;
    routes = api.routes;
    testClockService = testClock;
    server = await new Promise<Server>((resolve, reject) => {
      const s = api.app.listen(config.PORT, config.HOST, () => resolve(s));
      s.once('error', reject);
    });
  } catch (err) {
    // A port in use, say: stop what did start, the embedded PostgreSQL included.
    server = undefined;
    await stop();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://localhost:${port}`;
  logger.info(`billstream API listening on ${url}`, { port, eventStore: store.kind });

  const system = { url, accounts: accounts!, commerce: commerceServices!, db: infra.db, store, projections, jobs, routes, testClock: testClockService, stop };
  return { system, stop };
};
