import { afterAll, beforeAll, expect, it } from 'vitest';
import type { System } from '../../src/root/system.js';
import { http, startTestSystem, type Json } from '../api/support.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/** `customers create|update --draft-invoices / --no-draft-invoices`, as child processes against a test system's database. */
let database: TestDatabase;
let system: System;
let adminToken: string;
beforeAll(async () => {
  database = await createTestDatabase();
  system = await startTestSystem(database);
  adminToken = (await http(system).userWithRole('ADMIN', 'cli-drafts-admin@example.com')).token;
});
afterAll(async () => {
  await system?.stop();
  await database?.close();
});

const cli = (...args: string[]) => runCli(args, { databaseUrl: database.url });

const ok = async (...args: string[]) => {
  const r = await cli(...args);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
};

it('sets draft invoices on create, turns them off and on with update, and leaves the rest as it was', async () => {
  const created: Json = JSON.parse(await ok('customers', 'create', '--name', 'Acme', '--email', 'ap@acme.example', '--draft-invoices', '--json'));
  expect(created).toMatchObject({ name: 'Acme', draftInvoices: true });
  const id = created.customerId as string;

  expect(await ok('customers', 'update', id, '--no-draft-invoices')).toBe(`updated customer ${id} (Acme <ap@acme.example>)`);
  expect(await ok('customers', 'update', id, '--no-draft-invoices')).toBe(`customer ${id} (Acme <ap@acme.example>) unchanged`);
  expect(await ok('customers', 'update', id, '--draft-invoices', '--name', 'Acme Ltd')).toBe(
    `updated customer ${id} (Acme Ltd <ap@acme.example>, invoices as drafts)`,
  );
  const api = (await http(system).call('GET', `/v1/customers/${id}`, { token: adminToken })).body.data;
  expect(api).toMatchObject({ name: 'Acme Ltd', email: 'ap@acme.example', draftInvoices: true, revision: '2' });

  const refused = await cli('customers', 'update', id, '--email', 'not-an-address');
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('--email');
});
