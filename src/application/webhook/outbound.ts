import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/** What an attempt came to: an HTTP status, or an error before one (refused address, timeout, connection). */
export type Sent = Readonly<{ status?: number; error?: string; body: string; durationMs: number }>;

/** Only public unicast addresses, unless private ones are allowed (tests, a closed network). */
export const isPublicAddress = (address: string): boolean => {
  const parsed = ipaddr.process(address);
  // ::a.b.c.d (IPv4-compatible, ::/96) is "unicast" to ipaddr.js, and may reach the IPv4 address it carries.
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).parts.slice(0, 6).every((p) => p === 0)) return false;
  return parsed.range() === 'unicast';
};

const refused = (address: string) => Object.assign(new Error(`refused: ${address} is not a public address (WEBHOOK_ALLOW_PRIVATE=true allows it)`), { code: 'EWEBHOOKPRIVATE' });

/**
 * The resolver a connection uses: every address a name resolves to is
 * checked when connecting, not when the endpoint was registered, so a name
 * that resolves elsewhere later (DNS rebinding) gets no further.
 */
const guardedLookup = (allowPrivate: boolean): LookupFunction => (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0);
    const bad = allowPrivate ? undefined : addresses.find((a) => !isPublicAddress(a.address));
    if (bad) return callback(refused(bad.address), '', 0);
    if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
};

const agents = new Map<string, http.Agent>();
const agentFor = (protocol: string, allowPrivate: boolean): http.Agent => {
  const key = `${protocol}${allowPrivate}`;
  let agent = agents.get(key);
  if (!agent) {
    const options = { keepAlive: true, maxSockets: 8, maxFreeSockets: 8, lookup: guardedLookup(allowPrivate) };
    agent = protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
    agents.set(key, agent);
  }
  return agent;
};

/** At most this much of a response is read and kept. */
export const BODY_LIMIT = 4_096;

/**
 * One POST of a signed message: a 2xx within `timeoutMs` is success; a
 * redirect is an answer like any other non-2xx, never followed.
 */
export const postWebhook = (
  url: string,
  headers: Readonly<Record<string, string>>,
  body: string,
  options: Readonly<{ timeoutMs: number; allowPrivate: boolean }>,
): Promise<Sent> =>
  new Promise((resolve) => {
    const started = performance.now();
    const done = (result: Omit<Sent, 'durationMs'>) => resolve({ ...result, durationMs: Math.round(performance.now() - started) });
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return done({ error: 'not a URL', body: '' });
    }
    const host = target.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !options.allowPrivate && !isPublicAddress(host)) return done({ error: refused(host).message, body: '' });
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'billstream-webhooks', 'content-length': Buffer.byteLength(body), ...headers },
        timeout: options.timeoutMs,
        // One keep-alive pool per guard setting: a socket is checked when it connects, and reused after.
        agent: agentFor(target.protocol, options.allowPrivate),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < BODY_LIMIT) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', () => done({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, BODY_LIMIT) }));
        response.on('error', (err) => done({ status: response.statusCode ?? 0, error: err.message, body: '' }));
      },
    );
    // The whole exchange, not only idle time: a receiver that trickles bytes fails at the limit too.
    const deadline = setTimeout(() => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    request.on('close', () => clearTimeout(deadline));
    request.on('timeout', () => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    request.on('error', (err) => done({ error: err.message, body: '' }));
    request.end(body);
  });
