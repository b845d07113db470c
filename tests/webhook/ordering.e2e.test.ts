import { afterAll, beforeAll, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import type { System } from '../../src/root/system.js';
import { http, startTestSystem, type Json } from '../api/support.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startReceiver } from '../support/webhookReceiver.js';
import { runCli } from '../support/cli.js';

/**
 * Two processes on one database, both running the webhooks' workers, and
 * commands sent to both: each message reaches the endpoint once, and per
 * stream the first attempts arrive in increasing revision.
 */
let database: TestDatabase;
let systems: System[] = [];
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 30 });
  const env = { WEBHOOK_ALLOW_PRIVATE: 'true' };
  systems = [await startTestSystem(database, env), await startTestSystem(database, env)];
  receiver = await startReceiver();
});
afterAll(async () => {
  for (const s of systems) await s.stop();
  await receiver?.close();
  await database?.close();
});

it('delivers every message once, each stream in revision order, with two workers', async () => {
  const [a, b] = systems as [System, System];
  const manager = (await http(a).userWithRole('MANAGER', 'order-manager@example.com')).token;
  const made = await http(a).call('POST', '/v1/webhook-endpoints', { token: manager, body: { url: receiver.url, eventTypes: ['customer.created', 'customer.updated'] } });
  const secret = made.body.secret as string;

  const CUSTOMERS = 12;
  const UPDATES = 4;
  await Promise.all(
    Array.from({ length: CUSTOMERS }, async (_, i) => {
      const api = http(i % 2 ? a : b);
      const customer = await api.call('POST', '/v1/customers', { token: manager, body: { name: `Ordered ${i}`, email: `ordered-${i}@example.com` } });
      for (let u = 0; u < UPDATES; u++) {
        await http(u % 2 ? a : b).call('PATCH', `/v1/customers/${customer.body.data.customerId}`, { token: manager, body: { name: `Ordered ${i}.${u}` } });
      }
    }),
  );
  const expected = CUSTOMERS * (1 + UPDATES);
  // Every delivery recorded as made: any second send of a message would have been sent before its record.
  const delivered = async () =>
    Number((await a.db.selectFrom('webhooks.deliveries').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'delivered').executeTakeFirstOrThrow()).n);
  await expect.poll(delivered, { timeout: 20_000 }).toBe(expected);

  const wh = new Webhook(secret);
  const bodies = receiver.received.map((r) => wh.verify(r.body, { 'webhook-id': r.id, 'webhook-timestamp': r.timestamp, 'webhook-signature': r.signature }) as Json);
  expect(new Set(receiver.received.map((r) => r.id)).size).toBe(expected);
  expect(receiver.received).toHaveLength(expected);
  const byStream = new Map<string, number[]>();
  for (const body of bodies) byStream.set(body.data.stream, [...(byStream.get(body.data.stream) ?? []), Number(body.data.revision)]);
  expect(byStream.size).toBe(CUSTOMERS);
  for (const [stream, revisions] of byStream) expect(revisions, stream).toEqual(Array.from({ length: 1 + UPDATES }, (_, r) => r));
});

it("shows the endpoints and an endpoint's delivery log in the CLI", async () => {
  const list = await runCli(['webhooks', 'list'], { databaseUrl: database.url });
  expect(list.code, list.stderr).toBe(0);
  const endpointId = /^(whe_[0-9a-f]{32}) /.exec(list.stdout)![1]!;
  expect(list.stdout).toContain('enabled; pending 0, retrying 0, exhausted 0');
  const attempts = await runCli(['webhooks', 'attempts', endpointId, '--limit', '3'], { databaseUrl: database.url });
  expect(attempts.code, attempts.stderr).toBe(0);
  const lines = attempts.stdout.trim().split('\n');
  expect(lines).toHaveLength(3);
  for (const line of lines) expect(line).toMatch(/^\S+Z msg_[0-9a-f]{32} customer\.(created|updated) #1 200 \d+ ms$/);
  const bad = await runCli(['webhooks', 'attempts', 'whe_nope'], { databaseUrl: database.url });
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain('the endpoint id');
});
