import { afterAll, beforeAll, expect, it } from 'vitest';
import { CONTRACTS_PROJECTION } from '../../src/projections/contract/index.js';
import { CUSTOMERS_PROJECTION } from '../../src/projections/customer/index.js';
import { PLANS_PROJECTION } from '../../src/projections/plan/index.js';
import { SUBSCRIPTIONS_PROJECTION } from '../../src/projections/subscription/index.js';
import type { System } from '../../src/root/system.js';
import { http, startTestSystem, type Json } from '../api/support.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/**
 * The commerce commands of the CLI, as child processes against the database
 * of a running test system, whose projections keep the read models the lists
 * read. Each spawn costs a second or two, so the walk is one test.
 */
let database: TestDatabase;
let system: System;
let adminToken: string;
beforeAll(async () => {
  database = await createTestDatabase();
  system = await startTestSystem(database);
  adminToken = (await http(system).userWithRole('ADMIN', 'cli-commerce-admin@example.com')).token;
});
afterAll(async () => {
  await system?.stop();
  await database?.close();
});

const cli = (...args: string[]) => runCli(args, { databaseUrl: database.url });

/** Runs the CLI, expects success, and returns what it printed. */
const ok = async (...args: string[]) => {
  const r = await cli(...args);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
};
const okJson = async (...args: string[]): Promise<Json> => JSON.parse(await ok(...args, '--json'));

const apiGet = async (path: string) => (await http(system).call('GET', path, { token: adminToken })).body.data as Json;

it('walks plan → customer → contract → subscription → pause, resume, cancel at period end, printing what the API returns', async () => {
  const plan = await okJson('plans', 'create', '--name', 'Basic', '--pricing-model', 'per_unit', '--amount', '1000', '--currency', 'usd', '--interval', 'month');
  expect(plan).toEqual(await apiGet(`/v1/plans/${plan.planId}`));
  expect(plan).toMatchObject({ name: 'Basic', pricingModel: 'per_unit', amount: 1000, intervalCount: 1, trialDays: 0, status: 'active', revision: '0' });

  const customerLine = await ok('customers', 'create', '--name', 'Acme', '--email', 'Billing@Acme.example');
  const customerId = /^created customer (cus_[0-9a-f]{32}) \(Acme <billing@acme\.example>\)$/.exec(customerLine)?.[1];
  expect(customerId, customerLine).toBeDefined();

  const contractLine = await ok('contracts', 'create', '--customer', customerId!, '--title', 'Master agreement');
  const contractId = /^created contract (ctr_[0-9a-f]{32}) \(Master agreement, DRAFT, customer cus_/.exec(contractLine)?.[1];
  expect(contractId, contractLine).toBeDefined();
  expect(await ok('contracts', 'activate', contractId!)).toBe(`activated contract ${contractId} (Master agreement, ACTIVE, customer ${customerId})`);

  const created = await okJson('subscriptions', 'create', '--contract', contractId!, '--plan', plan.planId, '--quantity', '2');
  const id = created.subscriptionId as string;
  expect(created).toMatchObject({ customerId, contractId, planId: plan.planId, status: 'ACTIVE', quantity: 2, amount: 1000, cancelAtPeriodEnd: false });

  expect(await ok('subscriptions', 'pause', id)).toMatch(new RegExp(`^paused subscription ${id} \\(PAUSED, ${plan.planId} × 2, period `));
  expect(await ok('subscriptions', 'resume', id)).toMatch(new RegExp(`^resumed subscription ${id} \\(ACTIVE, `));
  const canceled = await okJson('subscriptions', 'cancel', id, '--at-period-end', '--reason', 'moving on');
  expect(canceled).toMatchObject({ status: 'ACTIVE', cancelAtPeriodEnd: true, cancelAt: canceled.currentPeriodEnd, revision: '3' });
  expect(canceled).toEqual(await apiGet(`/v1/subscriptions/${id}`));

  // As it was first recorded, from its stream.
  expect(await okJson('subscriptions', 'show', id, '--revision', '0')).toEqual(created);

  const credited = await ok('customers', 'credit', customerId!, '--amount', '500', '--currency', 'usd', '--reason', 'goodwill');
  expect(credited).toBe(`credited customer ${customerId} (Acme <billing@acme.example>, credit 500 usd)`);

  const events = await system.store.readStream(`subscription-${id}`);
  expect(events.map((e) => [e.metadata.actor, e.metadata.source])).toEqual(Array(4).fill([{ id: 'system:cli' }, 'cli']));

  // The lists read the read models, kept by the test system's projections: wait for them to reach the head.
  const head = await system.store.headPosition();
  const projections = [PLANS_PROJECTION, CUSTOMERS_PROJECTION, CONTRACTS_PROJECTION, SUBSCRIPTIONS_PROJECTION];
  expect(await system.projections.waitFor(projections, head!, 10_000)).toBe(true);
  const [plans, customers, subscriptions] = await Promise.all([
    ok('plans', 'list', '--status', 'active'),
    okJson('customers', 'list'),
    okJson('subscriptions', 'list', '--customer', customerId!, '--status', 'active'),
  ]);
  expect(plans).toBe(`${plan.planId} (Basic, 1000 usd / 1 month)`);
  expect(customers.data.map((c: Json) => [c.customerId, c.credit])).toEqual([[customerId, { usd: 500 }]]);
  expect(customers.data[0]).toEqual(await apiGet(`/v1/customers/${customerId}`));
  expect(subscriptions).toEqual({ data: [canceled], page: { hasMore: false, nextCursor: null } });
}, 120_000);

it('refuses what the API refuses, with the reason and the field message, before writing anything', async () => {
  const before = await system.store.headPosition();
  const [currency, name] = await Promise.all([
    cli('plans', 'create', '--name', 'Pro', '--pricing-model', 'flat_rate', '--amount', '100', '--currency', 'USD', '--interval', 'month'),
    cli('customers', 'create', '--name', '  ', '--email', 'blank@example.com'),
  ]);
  const api = await http(system).call('POST', '/v1/plans', {
    token: adminToken,
    body: { name: 'Pro', pricingModel: 'flat_rate', amount: 100, currency: 'USD', interval: 'month' },
  });
  expect(api.status).toBe(400);
  const message = (api.body.error.details.fields as Json[]).find((f) => f.path === 'currency').message as string;
  expect([currency.code, currency.stdout, currency.stderr]).toEqual([1, '', `billstream: plan.invalid: the input is not valid; --currency: ${message}\n`]);
  expect([name.code, name.stderr]).toEqual([1, 'billstream: customer.invalid: the input is not valid; --name: must not be empty\n']);
  expect(await system.store.headPosition()).toEqual(before);
});
