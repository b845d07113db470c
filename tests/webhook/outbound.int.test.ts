import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isPublicAddress, postWebhook } from '../../src/application/webhook/index.js';
import { startReceiver } from '../support/webhookReceiver.js';

/**
 * The outbound guard, at the connection: whatever a URL said when it was
 * registered, the address connected to is checked when sending. Here against
 * a receiver on 127.0.0.1, reached by address and by a name (localhost).
 */
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

it('knows public unicast addresses from loopback, private, link-local and the rest', () => {
  for (const address of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fc00::1', '::ffff:127.0.0.1', '::127.0.0.1', '::10.0.0.1', '224.0.0.1']) {
    expect(isPublicAddress(address), address).toBe(false);
  }
  for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111']) expect(isPublicAddress(address), address).toBe(true);
});

it('refuses to connect to a private address, by address or by a name that resolves to one, unless allowed; follows no redirect', async () => {
  const port = new URL(receiver.url).port;
  const options = { timeoutMs: 2_000, allowPrivate: false };
  for (const url of [receiver.url, `http://localhost:${port}/hooks`, `http://[::ffff:127.0.0.1]:${port}/hooks`]) {
    const sent = await postWebhook(url, {}, '{}', options);
    expect(sent.status, url).toBeUndefined();
    expect(sent.error, url).toMatch(/not a public address/);
  }
  expect(receiver.received).toHaveLength(0);
  const allowed = await postWebhook(`http://localhost:${port}/hooks`, { 'webhook-id': 'msg_1' }, '{}', { ...options, allowPrivate: true });
  expect(allowed.status).toBe(200);
  expect(receiver.received).toHaveLength(1);

  // A redirect is an answer (a failure), never followed: here to the receiver, which hears nothing more.
  const redirecting = createServer((_req, res) => res.writeHead(307, { location: receiver.url }).end());
  await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
  try {
    const redirected = await postWebhook(`http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/`, {}, '{}', { ...options, allowPrivate: true });
    expect(redirected.status).toBe(307);
    expect(receiver.received).toHaveLength(1);
  } finally {
    await new Promise<void>((resolve) => redirecting.close(() => resolve()));
  }
});
