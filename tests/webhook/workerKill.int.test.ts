import { afterAll, beforeAll, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { customerDecider, customerStreamName } from '../../src/domain/customer/index.js';
import { webhookEndpointDecider, webhookEndpointStreamName } from '../../src/domain/webhook/index.js';
import { createPostgresEventStore, handleCommand, type PostgresEventStore } from '../../src/eventstore/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startReceiver } from '../support/webhookReceiver.js';
import { WORKER_READY, workerProcesses } from '../support/workerProcess.js';
import type { Json } from '../api/support.js';

/**
 * A worker SIGKILLed in the middle of a delivery (the receiver holds the
 * request open): the message is sent again by the next worker, under the
 * same webhook-id, and every other message arrives too. Duplicates, if any,
 * share their webhook-id, so a receiver drops them.
 */
let database: TestDatabase;
let store: PostgresEventStore;
let workers: Awaited<ReturnType<typeof workerProcesses>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let held: string | undefined;
beforeAll(async () => {
  database = await createTestDatabase({ poolSize: 6 });
  store = createPostgresEventStore({ pool: database.pool });
  workers = await workerProcesses(database.url);
  // The first message of all is held open, unanswered.
  receiver = await startReceiver({ hold: (id) => (held ??= id) === id });
});
afterAll(async () => {
  await workers?.close();
  await receiver?.close();
  await store?.close();
  await database?.close();
});

const AT = new Date('2030-02-01T10:00:00.000Z');
const context = (commandId: string) => ({ commandId, correlationId: commandId, actor: { id: 'system:test' }, source: 'test', occurredAt: AT });
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

it('sends again, under the same webhook-id, what a killed worker was sending, and everything after it', async () => {
  const endpointId = `whe_${'1'.repeat(32)}`;
  await database.db.insertInto('webhooks.endpoint_secrets').values({ endpoint_id: endpointId, secret: SECRET }).execute();
  const created = { endpointId, url: receiver.url, eventTypes: ['customer.created'], createdBy: 'usr_x', now: AT.toISOString() };
  await handleCommand(store, webhookEndpointStreamName(endpointId), webhookEndpointDecider, { type: 'CreateWebhookEndpoint', data: created }, context('endpoint'));
  const env = { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_TIMEOUT_MS: '2000' };
  const first = workers.start(env);
  await expect.poll(() => first.logged(WORKER_READY), { timeout: 30_000 }).toBe(true);

  const ids = Array.from({ length: 5 }, (_, i) => `cus_${String(i).repeat(32)}`);
  for (const [i, customerId] of ids.entries()) {
    const data = { customerId, name: `Killed ${i}`, email: `killed-${i}@example.com`, now: AT.toISOString() };
    await handleCommand(store, customerStreamName(customerId), customerDecider, { type: 'RegisterCustomer', data }, context(`customer-${i}`));
  }
  await expect.poll(() => receiver.received.length, { timeout: 20_000 }).toBe(1);
  first.child.kill('SIGKILL');
  expect(await first.exit).toBe('SIGKILL');

  const second = workers.start(env);
  await expect.poll(() => new Set(receiver.received.map((r) => r.id)).size, { timeout: 60_000 }).toBe(ids.length);
  await expect.poll(() => receiver.received.filter((r) => r.id === held).length, { timeout: 10_000 }).toBe(2);

  const wh = new Webhook(SECRET);
  const names = receiver.received.map((r) => (wh.verify(r.body, { 'webhook-id': r.id, 'webhook-timestamp': r.timestamp, 'webhook-signature': r.signature }) as Json).data.attributes.name as string);
  expect([...new Set(names)].sort()).toEqual(ids.map((_, i) => `Killed ${i}`));
  // The held one twice (the killed send and the new one), the others once: in log order after it.
  expect(receiver.received).toHaveLength(ids.length + 1);
  expect(names.slice(1)).toEqual(ids.map((_, i) => `Killed ${i}`));
  second.child.kill('SIGTERM');
  await second.exit;
});
