import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPool } from '../../src/db/pool.js';
import { createPostgresEventStore } from '../../src/eventstore/index.js';
import { anEvent } from '../eventstore/conformanceSupport.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

type Running = { child: ChildProcess; url: string; postgresPort: number; clusterDir: string; output: string[] };

/** `npm start` without npm: the same entry point, no DATABASE_URL, its own data directory. */
const start = (dataDir: string): Promise<Running> =>
  new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_FORMAT: 'json', LOG_LEVEL: 'info' };
    delete env.DATABASE_URL;
    delete env.EVENTSTORE_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    let postgresPort = 0;
    let clusterDir = '';
    const timer = setTimeout(() => reject(new Error(`no start within 90 s:\n${output.join('')}`)), 90_000);
    child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      output.push(chunk.toString());
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        const entry = JSON.parse(line) as { message: string; port?: number; dataDir?: string };
        if (entry.message === 'embedded PostgreSQL ready') {
          postgresPort = entry.port!;
          clusterDir = entry.dataDir!;
        }
        const listening = /listening on (http:\/\/\S+)/.exec(entry.message);
        if (listening) {
          clearTimeout(timer);
          resolve({ child, url: listening[1]!, postgresPort, clusterDir, output });
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before listening:\n${output.join('')}`)));
  });

const exitCode = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'billstream-main-'));
  // mkdtemp makes it 0700; as root, the server runs as `postgres` and must traverse it.
  await chmod(dataDir, 0o755);
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

it('starts on embedded PostgreSQL with nothing configured, stops cleanly on a signal, and keeps its data', async () => {
  const streamName = `e2e-${randomUUID()}`;
  const connect = async ({ postgresPort: port, clusterDir }: Running) => {
    const password = (await readFile(path.join(clusterDir, 'billstream.password'), 'utf8')).trim();
    const pool = createPool({ connectionString: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, max: 2 });
    return { pool, store: createPostgresEventStore({ pool }) };
  };

  const first = await start(dataDir);
  expect((await fetch(`${first.url}/health`)).status).toBe(200);
  expect((await fetch(`${first.url}/ready`)).status).toBe(200);
  expect(first.clusterDir).toBe(path.join(dataDir, 'postgres'));
  const a = await connect(first);
  await a.store.appendToStream(streamName, [anEvent('Persisted')], { expectedRevision: 'no_stream' });
  await a.pool.end();
  first.child.kill('SIGTERM');
  expect(await exitCode(first.child)).toBe(0);
  // The embedded server was stopped too: its pid file is gone.
  await expect(stat(path.join(dataDir, 'postgres', 'postmaster.pid'))).rejects.toThrow();

  const second = await start(dataDir);
  const b = await connect(second);
  expect((await b.store.readStream(streamName)).map((e) => e.type)).toEqual(['Persisted']);
  await b.pool.end();
  expect(second.output.join('')).not.toContain('initialising embedded PostgreSQL cluster');
  second.child.kill('SIGINT');
  expect(await exitCode(second.child)).toBe(0);
}, 180_000);

it('refuses a bad configuration before starting anything, naming the variable', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, PORT: 'not-a-port', DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  expect(await exitCode(child)).toBe(2);
  expect(stderr).toContain('PORT:');
  expect(stderr).toContain('(got "not-a-port")');
});

it('fails start-up on a port in use, and leaves no embedded PostgreSQL running', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', resolve));
  const { port } = blocker.address() as net.AddressInfo;
  const ownDir = path.join(dataDir, 'port-in-use');
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { ...process.env, DATA_DIR: ownDir, PORT: String(port), LOG_FORMAT: 'json', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    expect(await exitCode(child)).toBe(1);
    expect(output).toContain('EADDRINUSE');
    expect(output).toContain('embedded PostgreSQL stopped');
    await expect(stat(path.join(ownDir, 'postgres', 'postmaster.pid'))).rejects.toThrow();
  } finally {
    blocker.close();
  }
}, 120_000);
