import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { System } from '../../src/root/system.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { http, startTestSystem } from './support.js';
import { freePort } from '../support/freePort.js';

let database: TestDatabase;
let system: System;

beforeAll(async () => {
  database = await createTestDatabase();
  system = await startTestSystem(database);
});

afterAll(async () => {
  await system?.stop();
  await database?.close();
});

/** The shell block after `marker` in a document (the README unless said), and the `# → line` outputs it promises, in order. */
const walkthrough = async (marker: string, document = '../../README.md') => {
  const readme = await readFile(new URL(document, import.meta.url), 'utf8');
  const after = readme.slice(readme.indexOf(marker) + marker.length);
  const script = /```sh\n([\s\S]*?)```/.exec(after)![1]!;
  const promised = [...script.matchAll(/# → (.*)$/gm)].map((m) => m[1]!.trim());
  return { script, promised };
};

const bash = (script: string, env: Record<string, string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });

/** Runs a walk-through's script as a MANAGER of `target`, and expects it to print what it promises, line for line. */
const runWalkthrough = async (target: System, walk: Readonly<{ script: string; promised: readonly string[] }>, email: string, env: Record<string, string> = {}) => {
  const { token } = await http(target).userWithRole('MANAGER', email);
  const run = await bash(walk.script, { API: target.url.replace('http://', ''), TOKEN: token, ...env });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout.trim().split('\n').map((line) => line.trim())).toEqual(walk.promised);
};

/** A system of its own on a simulated clock from `clockStart`, with its own data folder; stopped and dropped after `use`. */
const onSimulatedSystem = async (clockStart: string, use: (simulated: System, dataDir: string) => Promise<void>) => {
  const simulatedDb = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'billstream-walkthrough-'));
  const simulated = await startTestSystem(simulatedDb, { CLOCK: 'simulated', CLOCK_START: clockStart, DATA_DIR: dataDir });
  try {
    await use(simulated, dataDir);
  } finally {
    await simulated.stop();
    await simulatedDb.close();
  }
};

it("runs the README's customers-to-subscriptions walk-through with curl, and prints what it promises", async () => {
  const walk = await walkthrough('<!-- walkthrough:commerce -->');
  expect(walk.promised.length).toBeGreaterThanOrEqual(9);
  await runWalkthrough(system, walk, 'boss@example.com');
});

it("runs the README's API key walk-through with curl: a key made, used within its scopes, and refused outside them", async () => {
  const walk = await walkthrough('<!-- walkthrough:apikey -->');
  expect(walk.promised).toHaveLength(3);
  await runWalkthrough(system, walk, 'key-boss@example.com');
});

it("runs the README's webhook walk-through: an endpoint, a receiver verifying with standardwebhooks, one signed message", async () => {
  const db = await createTestDatabase();
  const allowing = await startTestSystem(db, { WEBHOOK_ALLOW_PRIVATE: 'true' });
  try {
    const walk = await walkthrough('<!-- walkthrough:webhook -->');
    expect(walk.promised).toEqual(['customer.created customer revision 0']);
    const port = await freePort();
    await runWalkthrough(allowing, walk, 'hook-boss@example.com', { RECEIVER_PORT: String(port) });
  } finally {
    await allowing.stop();
    await db.close();
  }
});

it("runs the README's test-clock walk-through with curl against a simulated clock, and prints what it promises", async () => {
  await onSimulatedSystem('2028-01-31T10:00:00Z', async (simulated, dataDir) => {
    const walk = await walkthrough('<!-- walkthrough:clock -->');
    expect(walk.promised.length).toBeGreaterThanOrEqual(11);
    await runWalkthrough(simulated, walk, 'clock-boss@example.com', { OUTBOX: path.join(dataDir, 'outbox') });
  });
});

it("runs docs/money.md's walk-through with curl on a simulated clock: a coupon, a taxed invoice, a credit note with a partial refund, the trial balance at 0", async () => {
  await onSimulatedSystem('2029-03-01T10:00:00Z', async (simulated) => {
    const walk = await walkthrough('<!-- walkthrough:money -->', '../../docs/money.md');
    expect(walk.promised.length).toBeGreaterThanOrEqual(10);
    await runWalkthrough(simulated, walk, 'money-boss@example.com');
  });
});
