/**
 * Outbound webhooks under load: commands that each make a message (a customer
 * registered, 32 connections), delivered to local receivers; beside it, the
 * same commands with no endpoint at all, in the same run, as the baseline.
 *
 *   npm run bench -- webhooks
 *   BENCH_SECONDS=10 BENCH_ENDPOINTS=4 npm run bench -- webhooks
 *
 * Three phases: the baseline (no endpoint, flat out); the endpoints, flat
 * out (what deliveries can do); and the endpoints paced at BENCH_RATE
 * deliveries a second (default 1,000: the latency at that rate). For each,
 * the commands' rate, the deliveries per second (each endpoint gets every
 * message; distinct webhook-ids, from the phase's first command to its last
 * delivery), and the latency from the event's append (its `timestamp`) to
 * its receipt, p50 and p99. Goal: 1,000 deliveries/s, p99 under 500 ms.
 *
 * PostgreSQL: DATABASE_URL's server (the user needs CREATEDB), or an embedded
 * one in a temporary directory. Receivers, server and PostgreSQL share this
 * machine's CPUs.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { sql } from 'kysely';
import path from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { createDatabase, dropDatabase } from '../src/db/databases.js';
import { EmbeddedPostgres } from '../src/db/embeddedPostgres.js';
import { withDatabase } from '../src/db/pool.js';
import { createSilentLogger } from '../src/logger/index.js';
import { startSystem } from '../src/root/system.js';
import { load, problems, type LoadResult } from './lib/load.js';

const SECONDS = Math.max(1, Number(process.env.BENCH_SECONDS ?? '10') || 10);
const ENDPOINTS = Math.max(1, Number(process.env.BENCH_ENDPOINTS ?? '4') || 4);
const CONNECTIONS = 32;
/** The paced phase's deliveries a second (commands a second times endpoints). */
const RATE = Math.max(1, Number(process.env.BENCH_RATE ?? '1000') || 1000);

type Json = any;

const percentile = (sorted: readonly number[], q: number) => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);

/** Receivers that answer 200 at once and note when each message came, against its timestamp. */
const startReceivers = async (n: number) => {
  const latencies: number[] = [];
  const ids = new Set<string>();
  let last = 0;
  const servers: Server[] = [];
  for (let i = 0; i < n; i++) {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => void (body += c.toString()));
      req.on('end', () => {
        const now = Date.now();
        latencies.push(now - Date.parse((JSON.parse(body) as Json).timestamp));
        ids.add(`${i} ${String(req.headers['webhook-id'])}`);
        last = now;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  return {
    urls: servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}/hooks`),
    latencies,
    /** Distinct (receiver, webhook-id) pairs: deliveries, not counting a duplicate. */
    distinct: () => ids.size,
    reset: () => {
      latencies.length = 0;
      ids.clear();
    },
    lastAt: () => last,
    close: () => Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))),
  };
};

export const run = async (): Promise<void> => {
  const loadAtStart = os.loadavg();
  const external = process.env.DATABASE_URL;
  const parent = external ? undefined : await mkdtemp(path.join(os.tmpdir(), 'billstream-bench-webhooks-'));
  if (parent) await chmod(parent, 0o755);
  const embedded = parent ? new EmbeddedPostgres({ dataDir: path.join(parent, 'postgres'), port: 54_433, durable: true }) : undefined;
  const serverUrl = external ?? (await embedded!.start());
  const name = `bench_webhooks_${randomBytes(4).toString('hex')}`;
  await createDatabase(serverUrl, name);
  const receivers = await startReceivers(ENDPOINTS);
  const system = await startSystem(
    loadConfig({
      DATABASE_URL: withDatabase(serverUrl, name),
      DATABASE_POOL_SIZE: '30',
      DATA_DIR: parent ?? (await mkdtemp(path.join(os.tmpdir(), 'billstream-bench-webhooks-data-'))),
      PORT: '0',
      HOST: '127.0.0.1',
      JWT_SECRET: randomBytes(32).toString('hex'),
      SCRYPT_COST: '10',
      AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
      API_RATE_LIMIT_PER_MINUTE: '1000000',
      SCHEDULER: 'off',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WORKER_CONCURRENCY: String(Math.max(4, ENDPOINTS * 2)),
      LOG_LEVEL: 'error',
    }),
    createSilentLogger(),
  );
  try {
    const email = 'hooks-bench@example.com';
    const password = 'hooks-bench-password';
    await system.accounts.register({ email, password, displayName: 'bench', role: 'MANAGER' }, { actor: { id: 'system:bench' }, source: 'cli', correlationId: 'bench' });
    const login = await fetch(`${system.url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    const token = ((await login.json()) as Json).data.accessToken as string;
    let n = 0;
    const customers = () => ({
      method: 'POST' as const,
      path: '/v1/customers',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `Bench ${n}`, email: `bench-${n++}@example.com` }),
    });

    console.error(`baseline: POST /v1/customers, ${CONNECTIONS} connections, ${SECONDS} s, no endpoint`);
    const baseline = await load(system.url, CONNECTIONS, SECONDS, customers);

    for (const url of receivers.urls) {
      const res = await fetch(`${system.url}/v1/webhook-endpoints`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url, eventTypes: ['customer.created'] }),
      });
      if (res.status !== 201) throw new Error(`endpoint: ${res.status} ${await res.text()}`);
    }
    /** A phase with the endpoints: commands (flat out, or paced), then the wait until every delivery is in. */
    const phase = async (label: string, commandsPerSecond?: number) => {
      receivers.reset();
      console.error(`${label}: ${commandsPerSecond === undefined ? 'flat out' : `${commandsPerSecond} commands/s`}, then until every delivery is in`);
      const started = Date.now();
      const result: LoadResult = await load(system.url, CONNECTIONS, SECONDS, customers, commandsPerSecond);
      // Requests still in flight when the window closed were made too: every delivery is waited for, up to 2 minutes.
      const deadline = Date.now() + 120_000;
      let seen = -1;
      while (Date.now() < deadline && receivers.latencies.length !== seen) {
        seen = receivers.latencies.length;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      const sorted = [...receivers.latencies].sort((a, b) => a - b);
      const rate = receivers.distinct() / ((receivers.lastAt() - started) / 1000);
      return { label, result, sorted, rate, received: receivers.latencies.length, distinct: receivers.distinct() };
    };
    const flat = await phase(`${ENDPOINTS} endpoints, flat out`);
    const since = new Date();
    const paced = await phase(`${ENDPOINTS} endpoints, paced`, Math.round(RATE / ENDPOINTS));
    // Where the paced phase's latency goes: from the event to its outbox row, and from there to the attempt.
    const { rows: split } = await sql<{ to_outbox: number; to_attempt: number }>`
      select percentile_cont(0.5) within group (order by extract(epoch from d.created_at - m.occurred_at) * 1000) as to_outbox,
             percentile_cont(0.5) within group (order by extract(epoch from d.last_attempt_at - d.created_at) * 1000) as to_attempt
        from webhooks.deliveries d join webhooks.messages m using (message_id)
       where d.created_at >= ${since}`.execute(system.db);

    const rows = [
      ['phase', 'commands/s', 'p99 ms', 'deliveries (distinct)', 'deliveries/s', 'append→delivery p50 ms', 'p99 ms', 'not 2xx'],
      ['baseline: no endpoint, flat out', baseline.perSecond.toFixed(0), baseline.p99.toFixed(1), '-', '-', '-', '-', problems(baseline) || '-'],
      ...[flat, paced].map((p) => [
        p.label,
        p.result.perSecond.toFixed(0),
        p.result.p99.toFixed(1),
        `${p.received} (${p.distinct})`,
        p.rate.toFixed(0),
        percentile(p.sorted, 0.5).toFixed(0),
        percentile(p.sorted, 0.99).toFixed(0),
        problems(p.result) || '-',
      ]),
    ];
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    console.log(`webhooks benchmark | load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')} | ${SECONDS} s a phase, ${CONNECTIONS} connections, paced at ${RATE} deliveries/s`);
    for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(' | '));
    console.log(`paced phase, medians: event → outbox row ${Number(split[0]?.to_outbox).toFixed(0)} ms, outbox row → attempt ${Number(split[0]?.to_attempt).toFixed(0)} ms`);
    const p99 = percentile(paced.sorted, 0.99);
    console.log(`goal: >= 1,000 deliveries/s, p99 < 500 ms at that rate: ${flat.rate >= 1000 && paced.rate >= 0.95 * RATE && p99 < 500 ? 'met' : 'MISSED'} (flat out ${flat.rate.toFixed(0)}/s; paced ${paced.rate.toFixed(0)}/s, p99 ${p99.toFixed(0)} ms)`);
  } finally {
    await system.stop();
    await receivers.close();
    await dropDatabase(serverUrl, name).catch(() => undefined);
    await embedded?.stop();
    if (parent) await rm(parent, { recursive: true, force: true });
  }
};
