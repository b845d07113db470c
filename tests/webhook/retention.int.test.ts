import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSilentLogger } from '../../src/logger/index.js';
import { webhookTriggers } from '../../src/scheduler/webhook/index.js';
import type { WebhookJobs } from '../../src/application/webhook/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/**
 * The delivery log keeps request and response bodies (personal data, often)
 * for WEBHOOK_LOG_RETENTION_DAYS; the `webhook-retries` trigger's run empties
 * older ones, and asks for a retry of each failed delivery that has come due.
 */
const NOW = new Date('2030-06-10T12:00:00.000Z');
const DAY = 86_400_000;

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

it('empties the bodies of attempts older than the retention, keeps the rest of the row, and asks for the retries due', async () => {
  const db = database.db;
  const attempt = (messageId: string, daysAgo: number) => ({
    endpoint_id: 'whe_1',
    message_id: messageId,
    attempt: 1,
    status_code: 500,
    error: null,
    duration_ms: 12,
    request_body: '{"name":"Ada Lovelace"}',
    response_body: 'no',
    attempted_at: new Date(NOW.getTime() - daysAgo * DAY),
  });
  await db.insertInto('webhooks.attempts').values([attempt('msg_old', 31), attempt('msg_new', 29)]).execute();
  await db.insertInto('webhooks.messages').values({ message_id: 'msg_due', type: 'customer.created', stream: 'customer-x', revision: '0', commit: '1', prepare: '1', occurred_at: NOW, payload: '{}' }).execute();
  await db
    .insertInto('webhooks.deliveries')
    .values({ endpoint_id: 'whe_1', message_id: 'msg_due', commit: '1', prepare: '1', seq: 0, status: 'failed', attempts: 2, next_attempt_at: new Date(NOW.getTime() - 1_000) })
    .execute();
  const asked: unknown[][] = [];
  const webhooks = { retry: async (...args: unknown[]) => void asked.push(args) } as unknown as WebhookJobs;
  const [trigger] = webhookTriggers({ db, clock: { now: () => NOW }, logger: createSilentLogger(), webhooks, logRetentionDays: 30 });
  const signal = new AbortController().signal;
  await trigger!.run({ signal, lease: { name: 'webhook-retries', holder: 'test', fencing: 1n }, stillHolding: () => true, assertHolding: () => undefined });

  const rows = await db.selectFrom('webhooks.attempts').select(['message_id', 'request_body', 'response_body', 'status_code']).orderBy('message_id').execute();
  expect(rows).toEqual([
    { message_id: 'msg_new', request_body: '{"name":"Ada Lovelace"}', response_body: 'no', status_code: 500 },
    { message_id: 'msg_old', request_body: null, response_body: null, status_code: 500 },
  ]);
  expect(asked).toEqual([['whe_1', 'msg_due', 3, new Date(NOW.getTime() - 1_000)]]);
});
