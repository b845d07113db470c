/**
 * A void racing a payment, many times over HTTP: no succeeded charge may be
 * dropped, whatever the order. Each race is on an invoice of its own, OPEN,
 * its first attempt failed for want of a card and a working card attached
 * since: `POST /v1/invoices/:id/pay`, then `POST /v1/invoices/:id/void`
 * after a delay of 0–50 ms (spread evenly over the races). Then every
 * charge the simulated gateway made is looked for on its invoice's stream
 * and in the ledger, and the ledger is reconciled.
 *
 *   npm run bench -- voidRace
 *   BENCH_RACES=500 npm run bench -- voidRace          (default 200)
 *
 * PostgreSQL: DATABASE_URL's server (a database is created and dropped), or
 * an embedded one in a temporary directory. Progress to stderr, the result to stdout.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../src/config/index.js';
import { createDatabase, dropDatabase } from '../src/db/databases.js';
import { EmbeddedPostgres } from '../src/db/embeddedPostgres.js';
import { withDatabase } from '../src/db/pool.js';
import { createSilentLogger } from '../src/logger/index.js';
import { startSystem } from '../src/root/system.js';

const RACES = Number(process.env.BENCH_RACES ?? 200);
const MAX_DELAY_MS = 50;
const START = '2033-01-01T09:00:00.000Z';

type Json = any;

export const run = async (): Promise<void> => {
  if (!Number.isInteger(RACES) || RACES < 1) throw new Error('BENCH_RACES must be a positive integer');
  const external = process.env.DATABASE_URL;
  const parent = external ? undefined : await mkdtemp(path.join(os.tmpdir(), 'billstream-bench-race-'));
  if (parent) await chmod(parent, 0o755);
  const embedded = parent ? new EmbeddedPostgres({ dataDir: path.join(parent, 'postgres'), port: 54_420, durable: true }) : undefined;
  const serverUrl = external ?? (await embedded!.start());
  const name = `bench_race_${randomBytes(4).toString('hex')}`;
  await createDatabase(serverUrl, name);
  const system = await startSystem(
    loadConfig({
      DATABASE_URL: withDatabase(serverUrl, name),
      DATA_DIR: parent ?? (await mkdtemp(path.join(os.tmpdir(), 'billstream-bench-race-data-'))),
      PORT: '0',
      HOST: '127.0.0.1',
      JWT_SECRET: randomBytes(32).toString('hex'),
      SCRYPT_COST: '10',
      AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
      API_RATE_LIMIT_PER_MINUTE: '1000000',
      SCHEDULER: 'off',
      CLOCK: 'simulated',
      CLOCK_START: START,
    }),
    createSilentLogger(),
  );
  try {
    const email = 'race-manager@example.com';
    const password = 'race-password-0123';
    await system.accounts.register({ email, password, displayName: 'race', role: 'MANAGER' }, { actor: { id: 'system:bench' }, source: 'cli', correlationId: 'race' });
    const call = async (method: string, url: string, token?: string, body?: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${system.url}${url}`, {
        method,
        headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...(token && { authorization: `Bearer ${token}` }), ...headers },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Json };
    };
    const token = (await call('POST', '/v1/auth/login', undefined, { email, password })).body.data.accessToken as string;
    const post = async (url: string, body: unknown = {}) => {
      const res = await call('POST', url, token, body);
      if (res.status >= 300) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.data as Json;
    };

    console.error(`setting up ${RACES} open invoices`);
    const plan = await post('/v1/plans', { name: 'Monthly', pricingModel: 'flat_rate', amount: 1_000, currency: 'usd', interval: 'month' });
    const customers: string[] = [];
    const subscriptions: string[] = [];
    for (let i = 0; i < RACES; i++) {
      const customer = await post('/v1/customers', { name: `race ${i}`, email: `ap@race${i}.example` });
      const contract = await post('/v1/contracts', { customerId: customer.customerId, title: `race ${i}` });
      await post(`/v1/contracts/${contract.contractId}/activate`);
      subscriptions.push((await post('/v1/subscriptions', { contractId: contract.contractId, planId: plan.planId })).subscriptionId);
      customers.push(customer.customerId);
    }
    const billed = await post('/v1/test/clock/advance', { days: 0 });
    const invoices = subscriptions.map((s) => billed.invoices.find((i: Json) => i.subscriptionId === s).invoiceId as string);
    for (const customerId of customers) await post(`/v1/customers/${customerId}/payment-method`, { paymentMethod: 'pm_ok' });

    console.error(`racing: pay, then void after 0–${MAX_DELAY_MS} ms`);
    const outcomes = new Map<string, number>();
    const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    const started = performance.now();
    for (let i = 0; i < RACES; i++) {
      const delay = Math.round((i * MAX_DELAY_MS) / Math.max(RACES - 1, 1));
      const paid = await call('POST', `/v1/invoices/${invoices[i]}/pay`, token, {});
      await new Promise((resolve) => setTimeout(resolve, delay));
      const voided = await call('POST', `/v1/invoices/${invoices[i]}/void`, token, {});
      count(`pay ${paid.status}, void ${voided.status}${voided.body?.error ? ` ${voided.body.error.reason}` : ''}`);
    }
    const raceSeconds = (performance.now() - started) / 1000;
    await post('/v1/test/clock/advance', { days: 0 });

    const charges = (
      await sql<{ invoice_id: string; charge_id: string }>`select invoice_id, charge_id from payments.simulated_charges where outcome = 'succeeded'`.execute(system.db)
    ).rows;
    let recordedOnStream = 0;
    for (const charge of charges) {
      const events = await system.store.readStream(`invoice-${charge.invoice_id}`);
      if (events.some((e) => e.type === 'PaymentSucceeded' && (e.data as { chargeId: string }).chargeId === charge.charge_id)) recordedOnStream += 1;
    }
    const statuses = new Map<string, number>();
    for (const id of invoices) {
      const status = (await call('GET', `/v1/invoices/${id}`, token)).body.data.status as string;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    const head = (await system.store.headPosition())!;
    const reconciliation = (await call('GET', '/v1/ledger/reconciliation', token, undefined, { 'X-Min-Position': `${head.commit}/${head.prepare}` })).body.data;
    const posted = (
      await sql<{ n: string }>`select count(distinct reference) as n from read.ledger_entries where debit_account = 'cash' and reference is not null`.execute(system.db)
    ).rows[0]!.n;

    const lines = [
      `void/pay race, ${RACES} races over HTTP, delays 0–${MAX_DELAY_MS} ms, ${raceSeconds.toFixed(1)} s | node ${process.version} | load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
      ...[...outcomes].sort().map(([k, n]) => `  ${String(n).padStart(5)}  ${k}`),
      `invoices at the end: ${[...statuses].map(([s, n]) => `${s} ${n}`).join(', ')}`,
      `succeeded charges at the gateway: ${charges.length}; recorded on their invoice's stream: ${recordedOnStream}; posted to the ledger's cash: ${posted}`,
      `dropped charges: ${charges.length - recordedOnStream}`,
      `ledger reconciled: ${reconciliation.ok} (${reconciliation.checks.filter((c: Json) => !c.ok).length} checks differ, ${reconciliation.openClearings.length} open clearings)`,
    ];
    console.log(lines.join('\n'));
  } finally {
    await system.stop();
    await dropDatabase(serverUrl, name).catch(() => undefined);
    await embedded?.stop();
    if (parent) await rm(parent, { recursive: true, force: true });
  }
};
