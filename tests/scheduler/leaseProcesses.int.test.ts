import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const script = fileURLToPath(new URL('../support/leaseProcess.ts', import.meta.url));

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await sql`
    create table lease_runs (
      id serial primary key, pid integer not null, fencing bigint not null, started_at timestamptz not null,
      last_batch_at timestamptz, batches integer not null default 0, ended_at timestamptz, outcome text
    )`.execute(database.db);
  await sql`create table lease_work (id integer primary key, done_by integer, fencing bigint, done_at timestamptz)`.execute(database.db);
});
afterAll(async () => {
  await database.close();
});

type Instance = Readonly<{
  child: ChildProcess;
  exit: Promise<NodeJS.Signals | number | null>;
  batches: () => number;
  skipped: () => number;
  stderr: () => string;
}>;

const started: Instance[] = [];
afterEach(async () => {
  // A failed test leaves its instances running: end them, and only them.
  for (const { child, exit } of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exit;
  }
});

const startInstance = (args: { name: string; ttlMs: number; batchDelayMs: number; batchesPerRun: number }, onBatch?: (count: number) => void): Instance => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, database.url, args.name, String(args.ttlMs), String(args.batchDelayMs), String(args.batchesPerRun)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let batches = 0;
  let skipped = 0;
  let stderr = '';
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (buffer + chunk.toString()).split('\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith('BATCH ')) onBatch?.(++batches);
      if (line.startsWith('LOG debug trigger skipped')) skipped++;
    }
  });
  // Drained, or a full pipe would block the child; node-cron warns there of the firings its own run blocks.
  child.stderr!.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const exit = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  const instance = { child, exit, batches: () => batches, skipped: () => skipped, stderr: () => stderr };
  started.push(instance);
  return instance;
};

const stopAll = async (instances: readonly Instance[]) => {
  for (const { child } of instances) child.kill('SIGTERM');
  for (const instance of instances) expect(await instance.exit, instance.stderr()).toBe(0);
};

const addWork = (count: number) =>
  sql`insert into lease_work (id) select generate_series(1, ${count}::int)`.execute(database.db);

it('runs one instance at a time: three instances firing every second never overlap, and each run has a larger token', async () => {
  await sql`truncate lease_runs, lease_work`.execute(database.db);
  await addWork(100_000);
  const instances = [1, 2, 3].map(() => startInstance({ name: 'every-second', ttlMs: 3_000, batchDelayMs: 100, batchesPerRun: 12 }));
  const finished = async () =>
    Number((await sql<{ n: string }>`select count(*) as n from lease_runs where outcome = 'finished'`.execute(database.db)).rows[0]!.n);
  await expect.poll(finished, { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(5);
  await stopAll(instances);

  // Compared in SQL, to the microsecond, on the database's one clock.
  const violations = await sql`
    select * from (
      select id, pid, fencing, started_at, ended_at,
             lag(ended_at) over w as previous_end, lag(fencing) over w as previous_fencing
      from lease_runs window w as (order by started_at)
    ) r
    where started_at < previous_end or fencing <= previous_fencing`.execute(database.db);
  expect(violations.rows).toEqual([]);
  const { rows } = await sql<{ id: number; outcome: string | null }>`select id, outcome from lease_runs`.execute(database.db);
  expect(rows.filter((r) => r.outcome !== 'finished' && r.outcome !== 'stopped')).toEqual([]);
  // Runs outlast the next second's firing, and every firing is a race of three: the others skip.
  expect(instances.reduce((sum, i) => sum + i.skipped(), 0)).toBeGreaterThan(0);
}, 120_000);

it('SIGKILLed mid-run, the holder is succeeded by another instance once its lease lapses; the killed run never finishes', async () => {
  await sql`truncate lease_runs, lease_work`.execute(database.db);
  await addWork(40);
  let victim: Instance | undefined;
  const args = { name: 'kill-me', ttlMs: 1_500, batchDelayMs: 150, batchesPerRun: 1_000 };
  const instances: Instance[] = [];
  for (let i = 0; i < 3; i++) {
    const instance = startInstance(args, (count) => {
      if (count === 3 && !victim) {
        victim = instance;
        instance.child.kill('SIGKILL');
      }
    });
    instances.push(instance);
  }
  await expect.poll(() => victim, { timeout: 60_000 }).toBeDefined();
  expect(await victim!.exit).toBe('SIGKILL');

  const undone = async () =>
    Number((await sql<{ n: string }>`select count(*) as n from lease_work where done_at is null`.execute(database.db)).rows[0]!.n);
  await expect.poll(undone, { timeout: 60_000, interval: 200 }).toBe(0);
  const survivors = instances.filter((i) => i !== victim);
  await stopAll(survivors);

  type Run = { id: number; pid: number; fencing: string; batches: number; ended_at: Date | null; outcome: string | null };
  const runs = (await sql<Run>`select id, pid, fencing, batches, ended_at, outcome from lease_runs order by started_at`.execute(database.db)).rows;
  const killed = runs.filter((r) => r.pid === victim!.child.pid);
  expect(killed).toHaveLength(1);
  expect(killed[0]).toMatchObject({ ended_at: null, outcome: null });
  expect(killed[0]!.batches).toBeGreaterThanOrEqual(3);
  // The killed run was the first, and no other started while it worked: the next acquisition, one token on, came after.
  expect(runs[0]!.id).toBe(killed[0]!.id);
  expect(BigInt(runs[1]!.fencing)).toBe(BigInt(killed[0]!.fencing) + 1n);
  const startedDuring = await sql`
    select r.id from lease_runs r, lease_runs k
    where k.id = ${killed[0]!.id} and r.id <> k.id and r.started_at <= k.last_batch_at`.execute(database.db);
  expect(startedDuring.rows).toEqual([]);
  // The survivors continued where it stopped: its batches stand, the rest is theirs, under larger tokens.
  const work = await sql<{ mine: boolean; n: string; min_fencing: string }>`
    select done_by = ${victim!.child.pid!} as mine, count(*) as n, min(fencing) as min_fencing from lease_work group by 1`.execute(database.db);
  const byVictim = work.rows.find((w) => w.mine);
  const byOthers = work.rows.find((w) => !w.mine);
  expect(Number(byVictim!.n)).toBeGreaterThanOrEqual(6);
  expect(Number(byVictim!.n) + Number(byOthers!.n)).toBe(40);
  expect(BigInt(byOthers!.min_fencing)).toBeGreaterThan(BigInt(killed[0]!.fencing));
  expect(runs.slice(1).some((r) => r.outcome === 'finished' && r.batches > 0)).toBe(true);
}, 120_000);
