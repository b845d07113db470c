import { wallClock } from '../../clock/index.js';
import { targetOf } from '../../application/clock/index.js';
import { SYSTEM_ACTORS } from '../../domain/shared/index.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import type { Logger } from 'winston';
import { type Ask } from '../../application/shared/index.js';
import { type Commerce } from '../../application/index.js';
import type { Config } from '../../config/index.js';
import { EmbeddedPostgres } from '../../db/index.js';
import { createDatabase, dropDatabase, relaxCommits } from '../../db/index.js';
import { withDatabase } from '../../db/index.js';
import { AppError } from '../../domain/shared/index.js';
import { startSystem, type System } from '../index.js';
import { countByKind, generateScenario, type Scenario, type ScenarioKinds, type Step } from './plan.js';
import { silentProgress, type ProgressReporter } from './progress.js';
import { readSummary, type Summary, type SummaryHeader } from './summary.js';
import type { TokenMix } from './tokens.js';

export type SimulateOptions = Readonly<{
  from: string;
  to: string;
  subscriptions: number;
  seed: number;
  /** Keep the database at the end (its URL is answered) instead of dropping it. */
  keep?: boolean;
  kinds?: ScenarioKinds;
  /** The customers' payment methods; the default mix (./tokens.ts) when unset. */
  tokens?: TokenMix;
  /** DATABASE_URL names the server to create the fresh database on; unset, the embedded PostgreSQL in DATA_DIR. */
  config: Config;
  logger: Logger;
  progress?: ProgressReporter;
  /** Aborted (Ctrl-C): the run stops before its next instant and still cleans up. */
  signal?: AbortSignal;
}>;

export type SimulationResult = Readonly<{
  scenario: Scenario;
  summary: Summary;
  header: SummaryHeader;
  /** By the scenario's subscription number; undefined where the creation was refused. */
  subscriptionIds: readonly (string | undefined)[];
  database: string;
  /** Only with `keep`: where the database is. */
  databaseUrl: string | undefined;
  /** Only with `keep`: the directory of the notices' .eml outbox. */
  outbox: string | undefined;
}>;

type Server = Readonly<{ url: string; close: () => Promise<void> }>;

/** The server the fresh database goes on: DATABASE_URL's, or the embedded one in DATA_DIR (shared with a running `npm start`). */
const openServer = async (config: Config, logger: Logger): Promise<Server> => {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, close: async () => undefined };
  const embedded = new EmbeddedPostgres({ dataDir: config.embeddedPostgresDir, port: config.EMBEDDED_POSTGRES_PORT, logger });
  return { url: await embedded.start(), close: () => embedded.stop() };
};

const databaseName = (seed: number) => {
  const stamp = wallClock.now().toISOString().replace(/[-:]/g, '').replace('T', 't').slice(0, 15);
  // A short random tail: two runs in one second (tests in parallel) never meet.
  return `billstream_sim_${stamp}_${seed}_${randomBytes(2).toString('hex')}`;
};

const idOf = <K extends string>(state: unknown, key: K): string => {
  const id = (state as Record<K, unknown>)[key];
  if (typeof id !== 'string') throw new Error(`the command answered no ${key}`);
  return id;
};

/** Plans, and per subscription a customer with its payment method (if any) and an ACTIVE contract in force from the window's start until further notice. */
const setUp = async (commerce: Commerce, scenario: Scenario, ask: Ask) => {
  const limit = pLimit(16);
  const planIds = new Map<string, string>();
  for (const { key, ...plan } of scenario.plans) planIds.set(key, idOf((await commerce.plans.create(plan, ask)).newState, 'planId'));
  const parties = await Promise.all(
    Array.from({ length: scenario.subscriptions }, (_, i) =>
      limit(async () => {
        const customer = await commerce.customers.register({ name: `Simulated customer ${i + 1}`, email: `customer-${i + 1}@simulate.example` }, ask);
        const customerId = idOf(customer.newState, 'customerId');
        const token = scenario.tokens[i];
        if (token) await commerce.customers.attachPaymentMethod(customerId, { paymentMethod: token }, ask);
        const contract = await commerce.contracts.create({ customerId, title: `Simulated contract ${i + 1}` }, ask);
        const contractId = idOf(contract.newState, 'contractId');
        await commerce.contracts.activate(contractId, ask);
        return { customerId, contractId };
      }),
    ),
  );
  return { planIds, customerIds: parties.map((p) => p.customerId), contractIds: parties.map((p) => p.contractId) };
};

/** Issues the scenario's steps through the commerce services, as the API would; refusals are counted, not fatal. */
const actor = (commerce: Commerce, setup: Awaited<ReturnType<typeof setUp>>, ask: Ask) => {
  const subscriptionIds: (string | undefined)[] = [];
  const refused: Record<string, number> = {};
  const count = (what: string) => void (refused[what] = (refused[what] ?? 0) + 1);
  const planId = (key: string) => setup.planIds.get(key)!;
  const issue = async ({ subscription: i, action }: Step): Promise<void> => {
    const id = subscriptionIds[i];
    const customerAction = action.kind === 'attach_payment_method';
    if (action.kind !== 'subscribe' && !customerAction && id === undefined) return count(`${action.kind}:no_subscription`);
    const s = commerce.subscriptions;
    try {
      const result = await (() => {
        switch (action.kind) {
          case 'attach_payment_method':
            return commerce.customers.attachPaymentMethod(setup.customerIds[i]!, { paymentMethod: action.paymentMethod }, ask);
          case 'subscribe':
            return s.create({ contractId: setup.contractIds[i]!, planId: planId(action.plan), quantity: action.quantity }, ask);
          case 'change_plan':
            return s.changePlan(id!, { planId: planId(action.plan) }, ask);
          case 'change_quantity':
            return s.changeQuantity(id!, { quantity: action.quantity }, ask);
          case 'pause':
            return s.pause(id!, ask);
          case 'resume':
            return s.resume(id!, ask);
          case 'cancel':
            return s.cancel(id!, { atPeriodEnd: action.atPeriodEnd }, ask);
        }
      })();
      if (action.kind === 'subscribe') subscriptionIds[i] = idOf(result.newState, 'subscriptionId');
      // The scenario only asks for changes; one that changes nothing means the generator misjudged the state.
      if (result.newEvents.length === 0) count(`${action.kind}:unchanged`);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      count(`${action.kind}:${err.reason}`);
    }
  };
  return { issue, subscriptionIds, refused };
};

const groupByInstant = (steps: readonly Step[]): [string, Step[]][] => {
  const groups = new Map<string, Step[]>();
  for (const step of steps) groups.set(step.at, [...(groups.get(step.at) ?? []), step]);
  return [...groups];
};

/**
 * Runs a scenario on a fresh database through the real system: startSystem
 * with a simulated clock starting at `from`, commands through the commerce
 * services, and the clock moved to each step's instant (it stops at every
 * instant something falls due on the way and runs the triggers there), then
 * to `to`. Answers the read models' summary. The database is dropped at the
 * end unless `keep`.
 */
export const simulate = async (options: SimulateOptions): Promise<SimulationResult> => {
  const started = performance.now();
  const scenario = generateScenario(options);
  const progress = options.progress ?? silentProgress;
  const server = await openServer(options.config, options.logger);
  const database = databaseName(options.seed);
  const url = withDatabase(server.url, database);
  let system: System | undefined;
  let created = false;
  let dataDir: string | undefined;
  try {
    await createDatabase(server.url, database);
    created = true;
    // A forecast on a database dropped at the end: its commits need not wait for the disk.
    await relaxCommits(server.url, database);
    dataDir = await mkdtemp(path.join(tmpdir(), 'billstream-sim-'));
    // The whole system whatever ROLE says, its own events (never EVENTSTORE_URL's), a token key of its own, and notices
    // written to an outbox of its own (never SMTP_URL's server: the customers are made up), so nothing is written to DATA_DIR.
    const { EVENTSTORE_URL: _elsewhere, SMTP_URL: _mail, ...config } = options.config;
    system = await startSystem(
      {
        ...config,
        DATABASE_URL: url,
        DATA_DIR: dataDir,
        ROLE: 'all',
        CLOCK: 'simulated',
        CLOCK_START: scenario.from,
        PORT: 0,
        HOST: '127.0.0.1',
        JWT_SECRET: randomBytes(32).toString('hex'),
      },
      options.logger,
    );
    const clock = system.testClock!;
    const ask: Ask = { actor: SYSTEM_ACTORS.simulate, source: 'cli', correlationId: randomUUID() };
    const time = { startMs: performance.now() - started, setupMs: 0, clockMs: 0, stops: 0, actionsMs: 0 };
    let mark = performance.now();
    const lap = () => {
      const now = performance.now();
      const ms = now - mark;
      mark = now;
      return ms;
    };
    const setup = await setUp(system.commerce, scenario, ask);
    time.setupMs = lap();
    const { issue, subscriptionIds, refused } = actor(system.commerce, setup, ask);
    const limit = pLimit(8);
    const fromMs = Date.parse(scenario.from);
    const span = Math.max(1, Date.parse(scenario.to) - fromMs);
    let invoices = 0;
    let actions = 0;
    const report = (now: string) => progress.update({ fraction: Math.min(1, (Date.parse(now) - fromMs) / span), now, invoices, actions });
    // In pieces no longer than one advance may cover, the bar moving at every instant the clock stops at.
    const advance = async (to: string) => {
      do {
        const limit = targetOf(clock.now(), { months: clock.maxSpanMonths });
        const moved = await clock.advance({ to: limit < new Date(to) ? limit.toISOString() : to }, { onProgress: (p) => report(p.now) });
        invoices += moved.invoiceCount;
        time.stops += moved.stopCount;
      } while (clock.now() < new Date(to));
      time.clockMs += lap();
    };
    for (const [at, steps] of groupByInstant(scenario.steps)) {
      if (options.signal?.aborted) throw new Error('interrupted');
      await advance(at);
      // Different subscriptions at one instant: the generator never gives one subscription two steps at an instant.
      await Promise.all(steps.map((step) => limit(() => issue(step))));
      actions += steps.length;
      time.actionsMs += lap();
      report(at);
    }
    await advance(scenario.to);
    report(scenario.to);
    progress.done();
    const summary = await readSummary(system.db);
    const header: SummaryHeader = {
      from: scenario.from,
      to: scenario.to,
      seed: scenario.seed,
      subscriptions: scenario.subscriptions,
      actions: countByKind(scenario.steps),
      refused,
      tokenMix: scenario.tokenMix,
      database: options.keep ? database : `${database} (dropped)`,
      wallMs: performance.now() - started,
      time,
    };
    const outbox = options.keep ? path.join(dataDir, 'outbox') : undefined;
    return { scenario, summary, header, subscriptionIds, database, databaseUrl: options.keep ? url : undefined, outbox };
  } finally {
    progress.done();
    await system?.stop();
    if (created && !options.keep) await dropDatabase(server.url, database);
    if (dataDir && !options.keep) await rm(dataDir, { recursive: true, force: true });
    await server.close();
  }
};
