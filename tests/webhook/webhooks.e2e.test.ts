import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { onSimulatedClock } from '../api/simulatedClock.js';
import { startReceiver, type Received } from '../support/webhookReceiver.js';
import type { Json } from '../api/support.js';
import { parsePosition } from '../../src/eventstore/index.js';
import { WEBHOOKS_PROJECTION } from '../../src/projections/webhook/index.js';

/**
 * Outbound webhooks on a simulated clock (their retries follow it), to a
 * receiver on this machine (WEBHOOK_ALLOW_PRIVATE=true), every delivery
 * verified by the `standardwebhooks` package, an implementation not ours.
 */
const dataDir = mkdtempSync(path.join(tmpdir(), 'billstream-webhooks-'));
const clock = onSimulatedClock('2031-05-01T09:00:00.000Z', 'hooks-manager@example.com', { WEBHOOK_ALLOW_PRIVATE: 'true', DATA_DIR: dataDir });

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let failing: Awaited<ReturnType<typeof startReceiver>>;
let down: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver();
  // Fails everything.
  down = await startReceiver({ failFirst: () => Number.MAX_SAFE_INTEGER });
  // Fails the first two attempts of every message.
  failing = await startReceiver({ failFirst: () => 2 });
});
afterAll(async () => {
  await receiver?.close();
  await failing?.close();
  await down?.close();
});

const verified = (secret: string, r: Received) =>
  new Webhook(secret).verify(r.body, { 'webhook-id': r.id, 'webhook-timestamp': r.timestamp, 'webhook-signature': r.signature }) as Json;
const bodies = (rs: readonly Received[]) => rs.map((r) => JSON.parse(r.body) as Json);

describe('webhooks', () => {
  it('sends each event to the endpoint signed as Standard Webhooks, with its position and stream revision', async () => {
    const endpoint = await clock.api.call('POST', '/v1/webhook-endpoints', { token: clock.manager, body: { url: receiver.url, eventTypes: ['customer.created', 'customer.updated'] } });
    expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
    const secret = endpoint.body.secret as string;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);

    const customer = await clock.post('/v1/customers', { name: 'Hooked', email: 'hooked@example.com' });
    await clock.send('PATCH', `/v1/customers/${customer.customerId}`, { name: 'Hooked Ltd' });
    await clock.post('/v1/plans', { name: 'Not subscribed to', pricingModel: 'flat_rate', amount: 100, currency: 'usd', interval: 'month' });
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);

    const got = receiver.received.filter((r) => JSON.parse(r.body).data.stream === `customer-${customer.customerId}`);
    expect(got.map((r) => verified(secret, r).type)).toEqual(['customer.created', 'customer.updated']);
    expect(bodies(got).map((b) => b.data.revision)).toEqual(['0', '1']);
    for (const b of bodies(got)) expect(b.data.position).toMatch(/^\d+\/\d+$/);
    expect(new Set(got.map((r) => r.id)).size).toBe(2);
    // A tampered body or another secret does not verify.
    expect(() => verified(secret, { ...got[0]!, body: got[0]!.body.replace('Hooked', 'Hacked') })).toThrow();
    expect(() => verified('whsec_' + Buffer.alloc(32, 1).toString('base64'), got[0]!)).toThrow();
    // The plan went nowhere: the endpoint takes customer messages only.
    expect(receiver.received.some((r) => JSON.parse(r.body).type.startsWith('plan'))).toBe(false);

    const log = await clock.api.call('GET', `/v1/webhook-endpoints/${endpoint.body.data.endpointId}/attempts`, { token: clock.manager });
    expect(log.status).toBe(200);
    expect(log.body.data[0]).toMatchObject({ attempt: 1, statusCode: 200, error: null });
  });

  it('retries on the clock, signing every attempt anew, under the same webhook-id, and later messages do not wait for it', async () => {
    const endpoint = await clock.post('/v1/webhook-endpoints', { url: failing.url, eventTypes: ['customer.created'] });
    const secret = (await clock.api.call('GET', `/v1/webhook-endpoints/${endpoint.endpointId}/secret`, { token: clock.manager })).body.data.secret as string;
    const first = await clock.post('/v1/customers', { name: 'Retried', email: 'retried@example.com' });
    const second = await clock.post('/v1/customers', { name: 'Also retried', email: 'retried2@example.com' });
    const of = (customerId: string) => failing.received.filter((r) => JSON.parse(r.body).data.stream === `customer-${customerId}`);
    // Both first attempts go at once: the second message does not wait for the first's retries.
    await expect.poll(() => [of(first.customerId).length, of(second.customerId).length], { timeout: 10_000 }).toEqual([1, 1]);

    // 5 s on: the second attempts (which fail too); 5 minutes more: the third, which succeed.
    await clock.post('/v1/test/clock/advance', { to: '2031-05-01T09:00:06.000Z' });
    await expect.poll(() => of(first.customerId).length, { timeout: 10_000 }).toBe(2);
    await clock.post('/v1/test/clock/advance', { to: '2031-05-01T09:06:00.000Z' });
    await expect.poll(() => [of(first.customerId).length, of(second.customerId).length], { timeout: 10_000 }).toEqual([3, 3]);

    for (const attempts of [of(first.customerId), of(second.customerId)]) {
      expect(new Set(attempts.map((r) => r.id)).size).toBe(1);
      expect(attempts).toHaveLength(3);
      // Each attempt is stamped with the moment it was sent, and signed over that stamp.
      for (const r of attempts) {
        expect(Math.abs(Number(r.timestamp) - Math.floor(r.at / 1000))).toBeLessThanOrEqual(1);
        expect(verified(secret, r).type).toBe('customer.created');
      }
    }
    const log = (await clock.get(`/v1/webhook-endpoints/${endpoint.endpointId}/attempts?limit=100`)) as Json[];
    expect(log.filter((a) => a.statusCode === 500)).toHaveLength(4);
    expect(log.filter((a) => a.statusCode === 200)).toHaveLength(2);
  });

  it('signs with both secrets while a rotation overlaps, and replays from a position under the same ids', async () => {
    const made = await clock.api.call('POST', '/v1/webhook-endpoints', { token: clock.manager, body: { url: receiver.url, eventTypes: ['customer.created'] } });
    const endpointId = made.body.data.endpointId as string;
    const old = made.body.secret as string;
    const rotated = await clock.api.call('POST', `/v1/webhook-endpoints/${endpointId}/rotate-secret`, { token: clock.manager, body: {} });
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.secret as string;
    const before = receiver.received.length;
    const customer = await clock.post('/v1/customers', { name: 'Rotated', email: 'rotated@example.com' });
    const mine = () => receiver.received.slice(before).filter((r) => JSON.parse(r.body).data.stream === `customer-${customer.customerId}` && r.signature.includes(' '));
    await expect.poll(() => mine().length, { timeout: 10_000 }).toBe(1);
    const [delivery] = mine();
    expect(delivery!.signature.split(' ')).toHaveLength(2);
    expect(verified(fresh, delivery!).type).toBe('customer.created');
    expect(verified(old, delivery!).type).toBe('customer.created');

    const position = JSON.parse(delivery!.body).data.position as string;
    const replay = await clock.api.call('POST', `/v1/webhook-endpoints/${endpointId}/replay`, { token: clock.manager, body: { fromPosition: position } });
    expect(replay.status).toBe(202);
    expect(replay.body.data.messages).toBeGreaterThanOrEqual(1);
    await expect.poll(() => receiver.received.filter((r) => r.id === delivery!.id).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
  });

  it('keeps a secret out of an Idempotency-Key\'s stored answer: the replay has it null, GET …/secret shows it', async () => {
    const body = { url: receiver.url, eventTypes: ['customer.created'] };
    const headers = { 'Idempotency-Key': 'endpoint-once' };
    const first = await clock.api.call('POST', '/v1/webhook-endpoints', { token: clock.manager, body, headers });
    const again = await clock.api.call('POST', '/v1/webhook-endpoints', { token: clock.manager, body, headers });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect([again.body.data.endpointId, again.body.secret]).toEqual([first.body.data.endpointId, null]);
    const shown = await clock.get(`/v1/webhook-endpoints/${first.body.data.endpointId}/secret`);
    expect(shown.secret).toBe(first.body.secret);
    const stored = await clock.system.db.selectFrom('api.idempotency_keys').select('response_body').execute();
    expect(stored.some((r) => (r.response_body ?? '').includes(first.body.secret))).toBe(false);
  });

  it('refuses an endpoint on a private address unless allowed, and sends a test message', async () => {
    const made = await clock.post('/v1/webhook-endpoints', { url: receiver.url });
    const test = await clock.api.call('POST', `/v1/webhook-endpoints/${made.endpointId}/test`, { token: clock.manager, body: {} });
    expect(test.status).toBe(202);
    await expect.poll(() => receiver.received.some((r) => r.id === test.body.data.messageId), { timeout: 10_000 }).toBe(true);
    for (const url of ['ftp://example.com/x', 'http://user:pass@example.com/x', 'not a url']) {
      const res = await clock.api.call('POST', '/v1/webhook-endpoints', { token: clock.manager, body: { url } });
      expect(res.status, url).toBe(400);
    }
  });

  // Last: it moves the clock on by days.
  it('disables an endpoint that has failed everything for five days, tells its maker, and sends what waited once enabled again', async () => {
    const endpoint = await clock.post('/v1/webhook-endpoints', { url: down.url, eventTypes: ['customer.created'] });
    await clock.post('/v1/customers', { name: 'Never heard', email: 'never@example.com' });
    await expect.poll(() => down.received.length, { timeout: 10_000 }).toBe(1);
    // Its eight attempts fail over the next 28 hours; then five days since the first failure pass. The clock does not
    // wait for deliveries: a retry whose turn came while its attempt before was still out goes at the clock's next stop.
    await clock.post('/v1/test/clock/advance', { days: 5 });
    // Each step: the retry due at the clock's instant has been made (none is due any more), then a second on.
    const dueNow = async () => {
      const now = new Date((await clock.get('/v1/test/clock')).now);
      const due = await clock.system.db
        .selectFrom('webhooks.deliveries')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('endpoint_id', '=', endpoint.endpointId)
        .where('status', '=', 'failed')
        .where('next_attempt_at', '<=', now)
        .executeTakeFirstOrThrow();
      return Number(due.n);
    };
    for (let i = 0; i < 20 && down.received.length < 8; i++) {
      await expect.poll(dueNow, { timeout: 10_000 }).toBe(0);
      await clock.post('/v1/test/clock/advance', { to: new Date(Date.parse((await clock.get('/v1/test/clock')).now) + 1_000).toISOString() });
    }
    await expect.poll(() => down.received.length, { timeout: 10_000 }).toBe(8);
    expect((await clock.get(`/v1/webhook-endpoints/${endpoint.endpointId}`)).enabled).toBe(true);

    await clock.post('/v1/customers', { name: 'The last straw', email: 'straw@example.com' });
    await expect.poll(async () => (await clock.get(`/v1/webhook-endpoints/${endpoint.endpointId}`)).disabledReason, { timeout: 10_000 }).toBe('failing');
    const mail = () => readdirSync(path.join(dataDir, 'outbox')).map((f) => readFileSync(path.join(dataDir, 'outbox', f), 'utf8')).filter((m) => m.includes('Webhook endpoint disabled'));
    await expect.poll(() => mail().length, { timeout: 10_000 }).toBe(1);
    expect(mail()[0]).toContain('hooks-manager@example.com');

    // A disabled endpoint is sent nothing, and nothing is kept for it; enabled again, a replay from a position recovers what it missed.
    const sent = down.received.length;
    const missed = await clock.send('POST', '/v1/customers', { name: 'Missed', email: 'missed@example.com' });
    // The outbox has passed the event, and made no delivery of it to the disabled endpoint.
    const at = parsePosition(missed.position!);
    expect(await clock.system.projections.waitFor([WEBHOOKS_PROJECTION], at, 10_000)).toBe(true);
    const kept = await clock.system.db
      .selectFrom('webhooks.deliveries')
      .select('message_id')
      .where('endpoint_id', '=', endpoint.endpointId)
      .where('commit', '=', at.commit.toString())
      .where('prepare', '=', at.prepare.toString())
      .execute();
    expect(kept).toEqual([]);
    expect(down.received.length).toBe(sent);
    await clock.post(`/v1/webhook-endpoints/${endpoint.endpointId}/enable`);
    await clock.post(`/v1/webhook-endpoints/${endpoint.endpointId}/replay`, { fromPosition: missed.position });
    await expect.poll(() => down.received.some((r) => JSON.parse(r.body).data.attributes.name === 'Missed'), { timeout: 10_000 }).toBe(true);
  });
});
