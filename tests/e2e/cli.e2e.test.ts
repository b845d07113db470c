import { afterAll, beforeAll, expect, it } from 'vitest';
import type { System } from '../../src/root/system.js';
import { http, startTestSystem } from '../api/support.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

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

// stdin is always a pipe here, empty unless given, as `--password-stdin` reads it.
const cli = (args: string[], stdin?: string) => runCli(args, { databaseUrl: database.url, stdin: stdin ?? '' });

it('bootstraps the first MANAGER, who can then log in over HTTP, and shows the stream', async () => {
  const created = await cli(['users', 'create', '--email', 'First@Example.com', '--role', 'MANAGER', '--password-stdin'], 'the-first-password\n');
  expect(created.code, created.stderr).toBe(0);
  const userId = /created MANAGER (usr_[0-9a-f]{32})/.exec(created.stdout)![1]!;

  const login = await http(system).call('POST', '/v1/auth/login', { body: { email: 'first@example.com', password: 'the-first-password' } });
  expect(login.status).toBe(200);
  expect(login.body.data.user).toEqual({ userId, role: 'MANAGER' });

  const shown = await cli(['stream', 'show', `user-${userId}`]);
  expect(shown.code, shown.stderr).toBe(0);
  const lines = shown.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; metadata: { source: string } });
  expect(lines.map((l) => [l.type, l.metadata.source])).toEqual([['UserRegistered', 'cli']]);
});

it('refuses a short password, an unknown role and a missing stream with a message and exit 1', async () => {
  const short = await cli(['users', 'create', '--email', 'x@example.com', '--role', 'ADMIN', '--password-stdin'], 'short\n');
  expect([short.code, short.stderr]).toEqual([1, 'billstream: the password needs at least 10 characters\n']);
  const role = await cli(['users', 'create', '--email', 'y@example.com', '--role', 'ROOT', '--password-stdin'], 'long-enough-password\n');
  expect(role.code).toBe(1);
  expect(role.stderr).toContain('--role must be one of USER, ADMIN, MANAGER, AUDITOR');
  const badEmail = await cli(['users', 'create', '--email', 'not-an-email', '--role', 'ADMIN', '--password-stdin'], 'long-enough-password\n');
  expect(badEmail.code).toBe(1);
  expect(badEmail.stderr).toMatch(/^billstream: --email: /);
  const missing = await cli(['stream', 'show', 'user-usr_nobody']);
  expect([missing.code, missing.stderr]).toEqual([1, 'billstream: stream user-usr_nobody not found\n']);
});

it('refuses an empty display name before writing anything, so the address stays free', async () => {
  const empty = await cli(['users', 'create', '--email', 'blank@example.com', '--role', 'ADMIN', '--display-name', ' ', '--password-stdin'], 'long-enough-password\n');
  expect(empty.code).toBe(1);
  expect(empty.stderr).toMatch(/^billstream: --display-name: must not be empty/);
  const later = await cli(['users', 'create', '--email', 'blank@example.com', '--role', 'ADMIN', '--display-name', 'Blank', '--password-stdin'], 'long-enough-password\n');
  expect(later.code, later.stderr).toBe(0);
});
