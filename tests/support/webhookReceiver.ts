import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Received = Readonly<{ id: string; timestamp: string; signature: string; body: string; headers: IncomingHttpHeaders; at: number }>;

/**
 * A webhook receiver on 127.0.0.1: records every request, and answers 500 to
 * the first `failFirst(id)` attempts of a message, 200 after; a request
 * `hold` picks (its first attempt) is recorded and never answered.
 */
export const startReceiver = async (options: Readonly<{ failFirst?: (messageId: string) => number; hold?: (messageId: string) => boolean }> = {}) => {
  const received: Received[] = [];
  const seen = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      received.push({
        id,
        timestamp: String(req.headers['webhook-timestamp']),
        signature: String(req.headers['webhook-signature']),
        body: Buffer.concat(chunks).toString('utf8'),
        headers: req.headers,
        at: Date.now(),
      });
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      if (n === 1 && options.hold?.(id)) return;
      const failing = n <= (options.failFirst?.(id) ?? 0);
      res.writeHead(failing ? 500 : 200, { 'content-type': 'application/json' });
      res.end(failing ? '{"error":"not now"}' : '{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
