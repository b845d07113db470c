import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { customerDecider, customerStreamName } from '../../src/domain/customer/index.js';
import { subscriptionDecider, subscriptionStreamName } from '../../src/domain/subscription/index.js';
import { createPostgresEventStore, handleCommand } from '../../src/eventstore/index.js';
import { plan } from '../domain/billingFixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { clockEnv } from '../support/clockEnv.js';
import { freePort } from '../support/freePort.js';

/**
 * `npm start -- --role …` as operators run it: node on src/main.ts, a child
 * process against a test database. The processes bill on the wall clock (a
 * simulated one runs no triggers); what they bill was created at a fixed
 * instant in the past. The billing run fires every second here.
 */
const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
/**
 * The subscription's first period begins at its creation, a day before the
 * wall clock's now: it is due, and its second period (a month on) is not. A
 * fixed instant would not do: once a month had passed, two periods were due.
 */
const CREATED_AT = new Date(Date.now() - 24 * 60 * 60 * 1000).toISOString();

type Child = Readonly<{ child: ChildProcess; exit: Promise<number | NodeJS.Signals | null>; output: () => string }>;

let database: TestDatabase;
let dataDir: string;
const children: Child[] = [];

beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 3 });
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'billstream-roles-'));
  // Every grant of a trigger's lease, with its holder (`host:pid:random`): the row itself keeps only the last.
  await sql`create table lease_grants (name text not null, holder text not null, fencing bigint not null)`.execute(database.db);
  await sql`
    create function record_grant() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' or new.fencing <> old.fencing then
        insert into lease_grants values (new.name, new.holder, new.fencing);
      end if;
      return new;
    end $$`.execute(database.db);
  await sql`create trigger record_grant after insert or update on scheduler.leases for each row execute function record_grant()`.execute(database.db);
});

afterAll(async () => {
  // A failed test leaves its processes running: end them, and only them.
  for (const { child, exit } of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exit;
  }
  await database?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const start = (args: readonly string[], env: Record<string, string>): Child => {
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      ...clockEnv(),
      TZ: 'UTC',
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: '4',
      DATA_DIR: dataDir,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      SCHEDULER_LEASE_TTL_MS: '2000',
      BILLING_RUN_SCHEDULE: '* * * * * *',
      ...env,
    },
  });
  let output = '';
  // Drained, or a full pipe would block the child.
  child.stdout!.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  const exit = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  const started = { child, exit, output: () => output };
  children.push(started);
  return started;
};

/** Exit code after SIGTERM: 0 is a clean stop. */
const stop = async ({ child, exit }: Child) => {
  child.kill('SIGTERM');
  return exit;
};

const aDueSubscription = async (): Promise<string> => {
  const store = createPostgresEventStore({ pool: database.pool });
  const context = { correlationId: randomUUID(), actor: { id: 'usr_test' }, source: 'api', occurredAt: new Date(CREATED_AT) };
  const customerId = `cus_${randomUUID().replaceAll('-', '')}`;
  const subscriptionId = `sub_${randomUUID().replaceAll('-', '')}`;
  try {
    await handleCommand(
      store,
      customerStreamName(customerId),
      customerDecider,
      { type: 'RegisterCustomer', data: { customerId, name: 'Acme', email: 'a@acme.example', now: CREATED_AT } },
      context,
    );
    await handleCommand(
      store,
      subscriptionStreamName(subscriptionId),
      subscriptionDecider,
      {
        type: 'CreateSubscription',
        data: { subscriptionId, contract: { contractId: 'ctr_1', customerId, status: 'ACTIVE' }, plan: plan(), quantity: 1, now: CREATED_AT },
      },
      context,
    );
  } finally {
    await store.close();
  }
  return subscriptionId;
};

const invoicesOf = async (subscriptionId: string) =>
  Number(
    (
      await sql<{ n: string }>`select count(*) as n from es.events where type = 'InvoiceCreated' and data->>'subscriptionId' = ${subscriptionId}`.execute(
        database.db,
      )
    ).rows[0]!.n,
  );

const grantsTo = async (pid: number | undefined) =>
  Number(
    (await sql<{ n: string }>`select count(*) as n from lease_grants where split_part(holder, ':', 2) = ${String(pid)}`.execute(database.db)).rows[0]!
      .n,
  );

/** What a TCP connection to the port meets: 'refused' when nothing listens. */
const probe = (port: number) =>
  new Promise<'open' | 'refused'>((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve('open');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNREFUSED' ? resolve('refused') : reject(err)));
  });

it('--role scheduler bills a due subscription under its lease, listens on no port, and stops cleanly on SIGTERM', async () => {
  const subscriptionId = await aDueSubscription();
  const port = await freePort();
  // The flag wins over ROLE.
  const scheduler = start(['--role', 'scheduler'], { ROLE: 'api', PORT: String(port), HOST: '127.0.0.1' });

  await expect.poll(() => invoicesOf(subscriptionId), { timeout: 30_000, interval: 200 }).toBe(1);
  expect(await grantsTo(scheduler.child.pid)).toBeGreaterThan(0);
  // Up and billing, and its PORT free: no API was started.
  expect(await probe(port)).toBe('refused');
  expect(scheduler.output()).toContain('billstream scheduler running, no HTTP API');
  expect(scheduler.output()).not.toContain('listening');

  expect(await stop(scheduler), scheduler.output()).toBe(0);
  expect(scheduler.output()).toContain('shutdown complete');
});

it('--role api serves HTTP and takes no trigger lease, while a scheduler beside it takes them every second', async () => {
  const api = start(['--role', 'api'], { PORT: '0', HOST: '127.0.0.1', JWT_SECRET: 'roles-secret-0123456789-0123456789-abc' });
  await expect.poll(() => /listening on (http:\/\/localhost:\d+)/.exec(api.output())?.[1], { timeout: 30_000 }).toBeDefined();
  const url = /listening on (http:\/\/localhost:\d+)/.exec(api.output())![1]!;
  expect((await fetch(`${url}/health`)).status).toBe(200);

  // Both fire the billing run every second; a process running triggers would win some of these grants.
  const scheduler = start(['--role', 'scheduler'], { PORT: '0' });
  await expect.poll(() => grantsTo(scheduler.child.pid), { timeout: 30_000, interval: 200 }).toBeGreaterThanOrEqual(5);
  expect(await grantsTo(api.child.pid)).toBe(0);
  expect((await fetch(`${url}/ready`)).status).toBe(200);

  expect(await stop(scheduler), scheduler.output()).toBe(0);
  expect(await stop(api), api.output()).toBe(0);
});

it('refuses an unknown role with exit code 2, naming the roles it takes', async () => {
  const bad = start(['--role', 'janitor'], {});
  expect(await bad.exit).toBe(2);
  expect(bad.output()).toContain('unknown role "janitor": --role takes one of all, api, scheduler');
});
