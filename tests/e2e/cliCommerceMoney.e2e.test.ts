import { afterAll, beforeAll, expect, it } from 'vitest';
import { STREAMS_PROJECTION } from '../../src/projections/stream/index.js';
import type { System } from '../../src/root/system.js';
import { http, startTestSystem, type Json } from '../api/support.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/**
 * `billstream tax-rates|coupons …` and the discount and tax-rate commands of
 * customers, subscriptions and plans, as child processes against the
 * database of a running test system: what they print is what the API
 * returns, and they refuse what it refuses, with the same reason.
 */
let database: TestDatabase;
let system: System;
let adminToken: string;
beforeAll(async () => {
  database = await createTestDatabase();
  system = await startTestSystem(database);
  adminToken = (await http(system).userWithRole('ADMIN', 'cli-commerce-money-admin@example.com')).token;
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

/** What the CLI printed on a refusal: exit 1, nothing on stdout, the reason on stderr. */
const refused = async (...args: string[]) => {
  const r = await cli(...args);
  expect([r.code, r.stdout], r.stderr).toEqual([1, '']);
  return r.stderr;
};

it('creates a tax rate and a coupon, gives them to a plan, a customer and a subscription, lists them, takes them off and deactivates the rate', async () => {
  const [rate, coupon, plan, customer] = await Promise.all([
    okJson('tax-rates', 'create', '--display-name', 'VAT', '--jurisdiction', 'DE', '--percentage', '19', '--inclusive'),
    okJson('coupons', 'create', '--name', 'Launch', '--percent-off', '12.5', '--duration', 'repeating', '--periods', '3', '--max-redemptions', '5', '--redeem-by', '2099-01-01T00:00:00Z'),
    okJson('plans', 'create', '--name', 'Basic', '--pricing-model', 'flat_rate', '--amount', '1000', '--currency', 'usd', '--interval', 'month'),
    okJson('customers', 'create', '--name', 'Acme', '--email', 'ap@acme.example'),
  ]);
  expect(rate).toMatchObject({ displayName: 'VAT', jurisdiction: 'DE', percentage: '19', inclusive: true, active: true, revision: '0' });
  expect(rate).toEqual(await apiGet(`/v1/tax-rates/${rate.taxRateId}`));
  expect(coupon).toMatchObject({ name: 'Launch', percentOff: '12.5', amountOff: null, duration: 'repeating', durationInPeriods: 3, maxRedemptions: 5, redeemBy: '2099-01-01T00:00:00.000Z', timesRedeemed: 0, status: 'ACTIVE' });
  expect(coupon).toEqual(await apiGet(`/v1/coupons/${coupon.couponId}`));
  const amountOff = await ok('coupons', 'create', '--name', 'Ten off', '--amount-off', '1000', '--currency', 'usd', '--duration', 'once');
  const tenOffId = /^created coupon (cpn_[0-9a-f]{32}) \(Ten off, 1000 usd off once, redeemed 0\)$/.exec(amountOff)?.[1];
  expect(tenOffId, amountOff).toBeDefined();

  // The rate on the plan: one line, and the plan the API shows.
  expect(await ok('plans', 'tax-rate', plan.planId, rate.taxRateId)).toBe(`set the tax rate of plan ${plan.planId} (Basic, 1000 usd / 1 month, tax rate ${rate.taxRateId})`);
  expect(await apiGet(`/v1/plans/${plan.planId}`)).toMatchObject({ taxRateId: rate.taxRateId, revision: '1' });

  // The coupon on the customer: redeemed once on the coupon's stream.
  const customerId = customer.customerId as string;
  expect(await ok('customers', 'discount', customerId, coupon.couponId)).toBe(`discounted customer ${customerId} (Acme <ap@acme.example>, discount ${coupon.couponId})`);
  expect(await ok('customers', 'discount', customerId, coupon.couponId)).toBe(`customer ${customerId} (Acme <ap@acme.example>, discount ${coupon.couponId}) unchanged`);
  expect((await apiGet(`/v1/customers/${customerId}`)).discount).toMatchObject({ couponId: coupon.couponId, percentOff: '12.5', duration: 'repeating', durationInPeriods: 3 });
  expect(await ok('coupons', 'show', coupon.couponId)).toBe(`coupon ${coupon.couponId} (Launch, 12.5% off for 3 periods, redeemed 1 of 5, redeem by 2099-01-01T00:00:00.000Z)`);
  // The customer's own rate, over its plans', then none again.
  expect(await ok('customers', 'tax-rate', customerId, rate.taxRateId)).toBe(`set the tax rate of customer ${customerId} (Acme <ap@acme.example>, discount ${coupon.couponId}, tax rate ${rate.taxRateId})`);
  expect((await okJson('customers', 'tax-rate', customerId, 'none')).taxRateId).toBeNull();

  // The other coupon on a subscription of the plan.
  const contractLine = await ok('contracts', 'create', '--customer', customerId, '--title', 'Master agreement');
  const contractId = /^created contract (ctr_[0-9a-f]{32}) /.exec(contractLine)![1]!;
  await ok('contracts', 'activate', contractId);
  const subscription = await okJson('subscriptions', 'create', '--contract', contractId, '--plan', plan.planId);
  const subscriptionId = subscription.subscriptionId as string;
  expect(await ok('subscriptions', 'discount', subscriptionId, tenOffId!)).toMatch(new RegExp(`^discounted subscription ${subscriptionId} \\(ACTIVE, ${plan.planId} × 1, period .*, discount ${tenOffId}\\)$`));
  const undiscounted = await okJson('subscriptions', 'remove-discount', subscriptionId);
  expect(undiscounted).toMatchObject({ discount: null, revision: '2' });
  expect(undiscounted).toEqual(await apiGet(`/v1/subscriptions/${subscriptionId}`));

  // Both lists name what the streams read model knows: wait for it to reach the head.
  expect(await system.projections.waitFor([STREAMS_PROJECTION], (await system.store.headPosition())!, 10_000)).toBe(true);
  const [rates, coupons, couponPage] = await Promise.all([ok('tax-rates', 'list'), ok('coupons', 'list'), okJson('coupons', 'list', '--limit', '1')]);
  expect(rates).toBe(`${rate.taxRateId} (VAT, DE, 19% inclusive)`);
  expect(coupons.split('\n').sort()).toEqual(
    [`${coupon.couponId} (Launch, 12.5% off for 3 periods, redeemed 1 of 5, redeem by 2099-01-01T00:00:00.000Z)`, `${tenOffId} (Ten off, 1000 usd off once, redeemed 1)`].sort(),
  );
  const first = [coupon.couponId, tenOffId].sort()[0];
  expect(couponPage).toEqual({ data: [await apiGet(`/v1/coupons/${first}`)], page: { hasMore: true, nextCursor: first } });
  expect((await okJson('coupons', 'list', '--after', first)).data.map((c: Json) => c.couponId)).toEqual([[coupon.couponId, tenOffId].sort()[1]]);

  // Off again: the discount goes, its redemption still counts; a second removal changes nothing.
  expect(await ok('customers', 'remove-discount', customerId)).toBe(`removed the discount of customer ${customerId} (Acme <ap@acme.example>)`);
  expect(await ok('customers', 'remove-discount', customerId)).toBe(`customer ${customerId} (Acme <ap@acme.example>) unchanged`);
  expect((await okJson('coupons', 'show', coupon.couponId)).timesRedeemed).toBe(1);

  // The rate deactivated: the plan keeps it, and nothing more can be given it.
  expect(await ok('tax-rates', 'deactivate', rate.taxRateId)).toBe(`deactivated tax rate ${rate.taxRateId} (VAT, DE, 19% inclusive, inactive)`);
  expect(await ok('tax-rates', 'deactivate', rate.taxRateId)).toBe(`tax rate ${rate.taxRateId} (VAT, DE, 19% inclusive, inactive) unchanged`);
  expect(await ok('tax-rates', 'show', rate.taxRateId, '--revision', '0')).toBe(`tax rate ${rate.taxRateId} (VAT, DE, 19% inclusive)`);
  expect(await refused('customers', 'tax-rate', customerId, rate.taxRateId)).toMatch(/^billstream: tax_rate\.inactive: tax rate txr_[0-9a-f]{32} was deactivated at /);
  expect((await apiGet(`/v1/plans/${plan.planId}`)).taxRateId).toBe(rate.taxRateId);
  expect(await ok('coupons', 'archive', tenOffId!)).toBe(`archived coupon ${tenOffId} (Ten off, 1000 usd off once, redeemed 1, archived)`);

  // Every write is the CLI's.
  for (const stream of [`tax_rate-${rate.taxRateId}`, `coupon-${coupon.couponId}`, `customer-${customerId}`, `plan-${plan.planId}`, `subscription-${subscriptionId}`]) {
    const events = await system.store.readStream(stream);
    expect(events.map((e) => [e.metadata.actor, e.metadata.source]), stream).toEqual(Array(events.length).fill([{ id: 'system:cli' }, 'cli']));
  }
}, 240_000);

it('refuses what the API refuses, with its reason and the flag or argument to fix, and writes nothing', async () => {
  const customer = await okJson('customers', 'create', '--name', 'Refused', '--email', 'no@refused.example');
  const [coupon, other] = await Promise.all([
    okJson('coupons', 'create', '--name', 'Once', '--percent-off', '10', '--duration', 'once'),
    okJson('coupons', 'create', '--name', 'Other', '--percent-off', '20', '--duration', 'forever'),
  ]);
  await ok('customers', 'discount', customer.customerId, coupon.couponId);
  const before = await system.store.headPosition();
  const both = ['--name', 'Both', '--percent-off', '10', '--amount-off', '100', '--currency', 'usd', '--duration', 'once'];
  const api = await http(system).call('POST', '/v1/coupons', { token: adminToken, body: { name: 'Both', percentOff: '10', amountOff: 100, currency: 'usd', duration: 'once' } });
  expect([api.status, api.body.error.reason]).toEqual([400, 'coupon.invalid']);
  const [twoOff, periods, rate, couponId, taxRateId, another] = await Promise.all([
    refused('coupons', 'create', ...both),
    refused('coupons', 'create', '--name', 'Forever', '--percent-off', '10', '--duration', 'forever', '--periods', '2'),
    refused('tax-rates', 'create', '--display-name', 'VAT', '--jurisdiction', 'DE', '--percentage', '8.12345'),
    refused('customers', 'discount', customer.customerId, 'cpn_nope'),
    refused('plans', 'tax-rate', 'pln_00000000000000000000000000000000', 'txr_nope'),
    refused('customers', 'discount', customer.customerId, other.couponId),
  ]);
  expect(twoOff).toBe(
    'billstream: coupon.invalid: percentOff a coupon takes a percentage or an amount off, one of them; --percent-off: a coupon takes a percentage or an amount off, one of them\n',
  );
  expect(periods).toMatch(/^billstream: coupon\.invalid: .*; --periods: is given for a repeating coupon, and only then\n$/);
  expect(rate).toBe('billstream: tax_rate.invalid: the input is not valid; --percentage: a percentage with at most four decimals, such as 8.25\n');
  expect(couponId).toBe('billstream: customer.invalid: the input is not valid; the id: not a coupon id\n');
  expect(taxRateId).toBe('billstream: plan.invalid: the input is not valid; the id: not a tax rate id\n');
  expect(another).toBe(`billstream: customer.discount_exists: the customer has coupon ${coupon.couponId}'s discount: remove it first\n`);
  expect(await refused('coupons', 'show', `cpn_${'0'.repeat(32)}`)).toBe('billstream: coupon.not_found: the coupon does not exist\n');
  expect(await system.store.headPosition()).toEqual(before);
}, 120_000);
