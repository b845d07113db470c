/**
 * The test clock and `simulate` beside the billing engine, in one run on one
 * server: how long simulations take to move their clock, and how fast the
 * engine bills the same number of subscriptions when it is called directly
 * (bench billing's measure). The gap between the two is what the clock's
 * path costs over the engine's.
 *
 *   npm run bench -- clock
 *   BENCH_CLOCK=eight-years-5,year-1000,year-10000 npm run bench -- clock   (default eight-years-5,year-1000)
 *
 * Scenarios, each `simulate` with seed 7 and the default token mix (so with
 * collections, dunning and notices):
 *   eight-years-5   5 subscriptions, 2026-01-01 → 2034-01-01   (goal: under 5 s)
 *   year-1000       1,000 subscriptions over 2026               (goal: under 60 s)
 *   year-10000      10,000 subscriptions over 2026              (reported; aim: under 10 minutes)
 * The baseline: a billing run of as many subscriptions as the largest
 * scenario has (bench/lib/billing.ts), its subscriptions per second.
 *
 * PostgreSQL: DATABASE_URL's server (the user needs CREATEDB), or an embedded
 * durable one in a temporary directory. Progress goes to stderr, the table to stdout.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { dropDatabase } from '../src/db/databases.js';
import { EmbeddedPostgres } from '../src/db/embeddedPostgres.js';
import { createSilentLogger } from '../src/logger/index.js';
import { simulate } from '../src/root/simulate/run.js';
import { measureBilling } from './lib/billing.js';

type ClockScenario = Readonly<{ key: string; from: string; to: string; subscriptions: number; goalSeconds: number }>;

const SCENARIOS: readonly ClockScenario[] = [
  { key: 'eight-years-5', from: '2026-01-01T00:00:00.000Z', to: '2034-01-01T00:00:00.000Z', subscriptions: 5, goalSeconds: 5 },
  { key: 'year-1000', from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z', subscriptions: 1_000, goalSeconds: 60 },
  { key: 'year-10000', from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z', subscriptions: 10_000, goalSeconds: 600 },
];

const chosen = (process.env.BENCH_CLOCK ?? 'eight-years-5,year-1000').split(',').map((s) => s.trim());

export const run = async (): Promise<void> => {
  const scenarios = SCENARIOS.filter((s) => chosen.includes(s.key));
  if (scenarios.length === 0) throw new Error(`BENCH_CLOCK names none of ${SCENARIOS.map((s) => s.key).join(', ')}`);
  const loadAtStart = os.loadavg();
  const external = process.env.DATABASE_URL;
  const parent = external ? undefined : await mkdtemp(path.join(os.tmpdir(), 'billstream-bench-clock-'));
  if (parent) await chmod(parent, 0o755);
  const embedded = parent ? new EmbeddedPostgres({ dataDir: path.join(parent, 'postgres'), port: 54_431, durable: true }) : undefined;
  try {
    const serverUrl = external ?? (await embedded!.start());
    const rows: string[][] = [];
    for (const scenario of scenarios) {
      console.error(`simulating ${scenario.key}…`);
      const result = await simulate({
        from: scenario.from,
        to: scenario.to,
        subscriptions: scenario.subscriptions,
        seed: 7,
        config: loadConfig({ DATABASE_URL: serverUrl, LOG_LEVEL: 'error' }, parent ?? process.cwd()),
        logger: createSilentLogger(),
      });
      const { wallMs, time } = result.header;
      const invoices = result.summary.invoices.count;
      rows.push([
        scenario.key,
        (wallMs / 1000).toFixed(1),
        (time.clockMs / 1000).toFixed(1),
        String(time.stops),
        (time.clockMs / time.stops).toFixed(0),
        String(invoices),
        (invoices / (time.clockMs / 1000)).toFixed(1),
        `< ${scenario.goalSeconds} s: ${wallMs / 1000 < scenario.goalSeconds ? 'met' : 'MISSED'}`,
      ]);
    }
    const n = Math.max(...scenarios.map((s) => s.subscriptions), 1_000);
    const name = `bench_clock_billing_${randomBytes(4).toString('hex')}`;
    console.error(`billing ${n} subscriptions directly (the baseline)…`);
    const billing = await measureBilling(serverUrl, name, n, (line) => console.error(line));
    await dropDatabase(serverUrl, name);

    const head = ['scenario', 'wall s', 'clock s', 'stops', 'ms/stop', 'invoices', 'invoices/s (clock)', 'goal'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
    console.log(
      [
        `Test clock benchmark (${new Date().toISOString().slice(0, 10)})`,
        `node ${process.version} | ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model.trim() ?? 'unknown'}) | ${external ? 'DATABASE_URL' : 'embedded PostgreSQL (durable)'}`,
        `load average at start: ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}`,
        '',
        line(head),
        line(widths.map((w) => '-'.repeat(w))),
        ...rows.map(line),
        '',
        `baseline, the same run: runBilling billed ${billing.run.subscriptions} subscriptions in ${billing.runSeconds.toFixed(2)} s: ${(billing.run.subscriptions / billing.runSeconds).toFixed(0)} subscriptions/s`,
        'wall = the whole simulation (system start, customers, the clock, the steps); clock = moving the clock, every trigger, job and notice at every stop',
        "simulate's database commits without waiting for the disk (synchronous_commit off: it is dropped at the end); the baseline's does wait",
      ].join('\n'),
    );
  } finally {
    await embedded?.stop();
    if (parent) await rm(parent, { recursive: true, force: true });
  }
};
