/**
 * HTTP throughput and latency of the whole system against a ceiling: a bare Koa
 * app on the same PostgreSQL doing the same I/O (one INSERT per command, one
 * SELECT by primary key per read). Each server runs in a child process
 * (lib/httpServer.ts); autocannon drives it from this one.
 *
 *   npm run bench -- http          BENCH_SECONDS=3 for a quick run (default 10 per measurement)
 *   BENCH_ONLY=commands32 npm run bench -- http       only the named scenarios (see SCENARIOS, and logins, commerce)
 *   BENCH_ONLY=commerce npm run bench -- http         per-command latency of the commerce API (lib/commerce.ts);
 *                                                     BENCH_COMMERCE_ITERATIONS per command (default 20 × BENCH_SECONDS, at least 30)
 *   node --cpu-prof --cpu-prof-dir=prof --import tsx bench/run.ts http   profiles each process (servers get our flags)
 *
 * PostgreSQL: DATABASE_URL's server (the user needs CREATEDB; two databases are
 * created and dropped), or an embedded durable one in a temporary directory.
 * Progress goes to stderr, the result tables to stdout.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { EmbeddedPostgres } from '../src/db/embeddedPostgres.js';
import { withDatabase } from '../src/db/pool.js';
import { measureCommerce, printCommerceReport } from './lib/commerce.js';
import { printHttpReport, type Scenario } from './lib/httpReport.js';
import type { ServerReady } from './lib/httpServer.js';
import { badLogins, load, problems, roleChanges, userReads, type LoadResult, type RequestMaker } from './lib/load.js';

const USERS = 50;
const LOGIN_CONNECTIONS = 60;
const SECONDS = Math.max(1, Number(process.env.BENCH_SECONDS ?? '10') || 10);
const WARM_UP_SECONDS = Math.min(2, SECONDS);

const SCENARIOS: readonly Scenario[] = [
  { key: 'commands1', label: 'commands (PATCH role), 1 connection', kind: 'commands', connections: 1 },
  { key: 'commands32', label: 'commands (PATCH role), 32 connections', kind: 'commands', connections: 32, target: { perSecond: 1_500, p99Ms: 50, ofCeiling: 0.4 } },
  { key: 'reads1', label: 'reads (GET user), 1 connection', kind: 'reads', connections: 1 },
  { key: 'reads32', label: 'reads (GET user), 32 connections', kind: 'reads', connections: 32, target: { perSecond: 3_000, ofCeiling: 0.5 } },
];
const LOGINS_KEY = 'logins';
const COMMERCE_KEY = 'commerce';
const COMMERCE_ITERATIONS = Math.max(1, Number(process.env.BENCH_COMMERCE_ITERATIONS ?? '') || Math.max(30, 20 * SECONDS));
const COMMERCE_WARM_UP = Math.min(20, Math.ceil(COMMERCE_ITERATIONS / 10));
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
const selected = (key: string) => !only || only.includes(key);

const serverScript = fileURLToPath(new URL('./lib/httpServer.ts', import.meta.url));

type Running = ServerReady & { stop: () => Promise<void> };

/** Forks lib/httpServer.ts; its log lines go to our stderr. */
const startServer = (kind: 'billstream' | 'ceiling', databaseUrl: string): Promise<Running> =>
  new Promise((resolve, reject) => {
    const child: ChildProcess = fork(serverScript, [kind, databaseUrl, String(USERS)], {
      execArgv: process.execArgv,
      stdio: ['ignore', 2, 'inherit', 'ipc'],
    });
    console.error(`${kind} server: pid ${child.pid}`);
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code} before it was ready`)));
    child.once('message', (ready) =>
      resolve({
        ...(ready as ServerReady),
        stop: async () => {
          child.send('stop');
          await exited;
        },
      }),
    );
  });

const login = async (url: string, email: string, password: string): Promise<string> => {
  const res = await fetch(`${url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const body = (await res.json()) as { data?: { accessToken?: string } };
  if (!res.ok || !body.data?.accessToken) throw new Error(`login failed: ${res.status} ${JSON.stringify(body)}`);
  return body.data.accessToken;
};

/** Runs the selected scenarios against one server, each after an unmeasured warm-up of its kind. */
const measureAll = async (label: string, makers: Record<Scenario['kind'], RequestMaker>, url: string) => {
  const results = new Map<string, LoadResult>();
  const warmed = new Set<string>();
  for (const s of SCENARIOS.filter((x) => selected(x.key))) {
    if (!warmed.has(s.kind)) {
      warmed.add(s.kind);
      await load(url, 32, WARM_UP_SECONDS, makers[s.kind]);
    }
    console.error(`${label}: ${s.label}, ${SECONDS} s`);
    const result = await load(url, s.connections, SECONDS, makers[s.kind]);
    const bad = problems(result);
    if (bad) console.error(`  not 2xx: ${bad}`);
    results.set(s.key, result);
  }
  return results;
};

const prepareServer = async (serverUrl: string, names: readonly string[]) => {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    for (const name of names) await admin.query(`create database ${name}`);
    const { rows } = await admin.query<{ version: string; settings: string }>(
      `select version() as version,
              'fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit') as settings`,
    );
    return rows[0]!;
  } finally {
    await admin.end();
  }
};

const dropDatabases = async (serverUrl: string, names: readonly string[]) => {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    for (const name of names) await admin.query(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
};

export const run = async (): Promise<void> => {
  const external = process.env.DATABASE_URL;
  const parent = external ? undefined : await mkdtemp(path.join(os.tmpdir(), 'billstream-bench-http-'));
  // As root the server runs as `postgres`, which must be able to enter the directory.
  if (parent) await chmod(parent, 0o755);
  const embedded = parent ? new EmbeddedPostgres({ dataDir: path.join(parent, 'postgres'), port: 54_410, durable: true }) : undefined;
  const suffix = randomBytes(4).toString('hex');
  const databases = { ceiling: `bench_http_ceiling_${suffix}`, billstream: `bench_http_billstream_${suffix}` };
  let serverUrl: string | undefined;
  const running = new Set<Running>();
  const cleanUp = async () => {
    await Promise.all([...running].map((r) => r.stop()));
    if (external && serverUrl) await dropDatabases(serverUrl, Object.values(databases)).catch(() => undefined);
    await embedded?.stop();
    if (parent) await rm(parent, { recursive: true, force: true });
  };
  const onSignal = () => {
    console.error('interrupted; stopping');
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    serverUrl = external ?? (await embedded!.start());
    const { version, settings } = await prepareServer(serverUrl, Object.values(databases));
    const header = [
      'HTTP benchmark',
      `node ${process.version} | ${version}`,
      `${os.availableParallelism()} CPUs (${os.cpus()[0]?.model.trim() ?? 'unknown'}) | ${settings} | ${external ? 'DATABASE_URL' : 'embedded PostgreSQL'}`,
      `load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} | ${SECONDS} s per measurement, after ${WARM_UP_SECONDS} s of warm-up per kind`,
    ];
    console.error(header.join('\n'));

    // The ceiling first, on the fresher server: that errs towards a higher ceiling. Not started when no scenario needs it.
    let ceilingResults = new Map<string, LoadResult>();
    if (SCENARIOS.some((s) => selected(s.key))) {
      const ceiling = await startServer('ceiling', withDatabase(serverUrl, databases.ceiling));
      running.add(ceiling);
      ceilingResults = await measureAll('ceiling', {
        commands: roleChanges(ceiling.userIds, undefined),
        reads: userReads(ceiling.userIds, undefined),
      }, ceiling.url);
      await ceiling.stop();
      running.delete(ceiling);
    }

    console.error(`billstream: starting the system and registering ${USERS} users and a MANAGER`);
    const system = await startServer('billstream', withDatabase(serverUrl, databases.billstream));
    running.add(system);
    const token = await login(system.url, system.manager!.email, system.manager!.password);
    const makers = { commands: roleChanges(system.userIds, token), reads: userReads(system.userIds, token) };
    const results = await measureAll('billstream', makers, system.url);

    // Before the bad logins, which saturate the server; with a token of its own, as the run so far may have taken a while.
    const commerce = selected(COMMERCE_KEY)
      ? await measureCommerce(system.url, await login(system.url, system.manager!.email, system.manager!.password), system.userIds, {
          iterations: COMMERCE_ITERATIONS,
          warmUp: COMMERCE_WARM_UP,
          log: (line) => console.error(line),
        })
      : undefined;

    let underLogins;
    if (selected(LOGINS_KEY)) {
      const label = `reads (GET user, 32 connections) while ${LOGIN_CONNECTIONS} connections send bad logins (wrong password, existing users), ${SECONDS} s`;
      console.error(`billstream: ${label}`);
      const [reads, logins] = await Promise.all([
        load(system.url, 32, SECONDS, makers.reads),
        load(system.url, LOGIN_CONNECTIONS, SECONDS, badLogins(system.emails)),
      ]);
      underLogins = { reads, logins, label };
    }
    await system.stop();
    running.delete(system);

    const classic = SCENARIOS.some((s) => selected(s.key)) || underLogins !== undefined;
    if (classic) printHttpReport(header, SCENARIOS.filter((s) => selected(s.key)), results, ceilingResults, underLogins, [
      'the load generator, both servers and PostgreSQL share this machine\'s CPUs: figures are of the whole, not of the server alone',
      `rate limits raised (AUTH_RATE_LIMIT_PER_MINUTE and API_RATE_LIMIT_PER_MINUTE 1000000 unless set); commands alternate ADMIN/USER over ${USERS} users as a MANAGER`,
      'ceiling: bare Koa + @koa/bodyparser + pg (pool of DATABASE_POOL_SIZE, default 20), no authentication; its own database on the same server',
      'latencies are of 2xx answers (any answer for bad logins); "not 2xx" lists every other status, connection errors and timeouts',
    ]);
    if (commerce) printCommerceReport(classic ? undefined : header, commerce);
  } finally {
    await cleanUp();
  }
};
