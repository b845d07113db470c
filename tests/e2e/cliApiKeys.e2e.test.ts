import { afterAll, beforeAll, expect, it } from 'vitest';
import type { System } from '../../src/root/system.js';
import { http, startTestSystem } from '../api/support.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/** `billstream apikeys …` against the database a running system serves: the keys it makes work over HTTP, and stop when revoked. */
let database: TestDatabase;
let system: System;
let api: ReturnType<typeof http>;
beforeAll(async () => {
  database = await createTestDatabase();
  system = await startTestSystem(database);
  api = http(system);
});
afterAll(async () => {
  await system?.stop();
  await database?.close();
});

const cli = (args: string[]) => runCli(args, { databaseUrl: database.url });

it('creates a key for a MANAGER, lists it without its secret, rolls it and revokes the new one', async () => {
  const manager = await api.userWithRole('MANAGER', 'cli-keys@example.com');
  const created = await cli(['apikeys', 'create', '--owner', manager.userId, '--name', 'nightly export', '--scopes', 'customers:read, invoices:read', '--json']);
  expect(created.code, created.stderr).toBe(0);
  const { data, key } = JSON.parse(created.stdout) as { data: { keyId: string; scopes: string[] }; key: string };
  expect(key).toMatch(/^bsk_live_[0-9a-f]{32}_[0-9a-f]{64}$/);
  expect(data.scopes).toEqual(['customers:read', 'invoices:read']);
  expect((await api.call('GET', '/v1/customers', { token: key })).status).toBe(200);

  // Its use is written after the answer, at most once a minute: looked for until it is there.
  let listed = await cli(['apikeys', 'list']);
  await expect.poll(async () => (listed = await cli(['apikeys', 'list'])).stdout, { timeout: 20_000 }).toContain('last used');
  expect(listed.code, listed.stderr).toBe(0);
  expect(listed.stdout).toContain(data.keyId);
  expect(listed.stdout).not.toContain(key.slice(-64));

  const rolled = await cli(['apikeys', 'roll', data.keyId, '--json']);
  expect(rolled.code, rolled.stderr).toBe(0);
  const fresh = JSON.parse(rolled.stdout) as { data: { keyId: string }; key: string };
  expect((await api.call('GET', '/v1/customers', { token: key })).status).toBe(401);
  expect((await api.call('GET', '/v1/customers', { token: fresh.key })).status).toBe(200);

  const revoked = await cli(['apikeys', 'revoke', fresh.data.keyId, '--reason', 'rotated out']);
  expect(revoked.code, revoked.stderr).toBe(0);
  expect(revoked.stdout).toMatch(/^revoked key_[0-9a-f]{32} /);
  const refused = await api.call('GET', '/v1/customers', { token: fresh.key });
  expect([refused.status, refused.body.error.reason]).toEqual([401, 'auth.api_key_revoked']);
});

it('refuses a key for a USER, an unknown scope, and an id that is not a key id, with exit 1', async () => {
  const user = await api.userWithRole('USER', 'cli-keys-user@example.com');
  const forUser = await cli(['apikeys', 'create', '--owner', user.userId, '--name', 'x', '--scopes', 'customers:read']);
  expect(forUser.code).toBe(1);
  expect(forUser.stderr).toContain('api_key.owner_not_allowed');
  const manager = await api.userWithRole('MANAGER', 'cli-keys-2@example.com');
  const badScope = await cli(['apikeys', 'create', '--owner', manager.userId, '--name', 'x', '--scopes', 'customers:admin']);
  expect(badScope.code).toBe(1);
  expect(badScope.stderr).toContain('api_key.invalid');
  const badId = await cli(['apikeys', 'revoke', 'usr_123']);
  expect(badId.code).toBe(1);
  expect(badId.stderr).toContain('the key id');
});
