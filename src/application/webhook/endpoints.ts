import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock/index.js';
import type { Database } from '../../db/index.js';
import { displayText, NotFoundError, safeText, userOf, ValidationError } from '../../domain/shared/index.js';
import {
  WEBHOOK_EVENT_TYPES,
  webhookEndpointDecider,
  webhookEndpointStreamName,
  type WebhookEndpointCommand,
  type WebhookEndpointEvent,
  type WebhookEndpointState,
} from '../../domain/webhook/index.js';
import { comparePositions, parsePosition, type EventStore, type Position, type RecordedEvent } from '../../eventstore/index.js';
import { messageRowsOf, WEBHOOK_FILTER } from '../../projections/webhook/index.js';
import { commandPath, instant, newId, type Aggregate, type Ask } from '../shared/index.js';
import { isPublicAddress } from './outbound.js';
import { newWebhookSecret, rotateWebhookSecret, storeWebhookSecret } from './signing.js';
import type { WebhookJobs } from './jobs.js';

const eventType = safeText.refine((t) => t === '*' || (WEBHOOK_EVENT_TYPES as readonly string[]).includes(t), {
  message: `"*" or one of ${WEBHOOK_EVENT_TYPES.join(', ')}`,
});
const eventTypes = z.array(eventType).min(1).max(WEBHOOK_EVENT_TYPES.length + 1).refine((t) => new Set(t).size === t.length, 'each type once');
const url = safeText.max(2_000).refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol) && new URL(u).username === '' && new URL(u).password === '', 'an http(s) URL without credentials');

export const endpointInput = z.object({ url, eventTypes: eventTypes.default(['*']), description: displayText(500).optional() }).strict();
export const endpointPatch = z.object({ url: url.optional(), eventTypes: eventTypes.optional(), description: displayText(500).optional() }).strict();
export const rotateInput = z.object({ previousExpiresAt: instant.optional() }).strict();
export const replayInput = z.object({ fromPosition: safeText.regex(/^\d+\/\d+$/, 'a position, commit/prepare, as X-Position gives it') }).strict();

export type ExistingEndpoint = Exclude<WebhookEndpointState, { status: 'NONE' }>;
export const endpointExists = (s: WebhookEndpointState): s is ExistingEndpoint => s.status !== 'NONE';
export const webhookEndpoints: Aggregate<WebhookEndpointState, WebhookEndpointCommand, WebhookEndpointEvent> = {
  decider: webhookEndpointDecider,
  streamOf: webhookEndpointStreamName,
};

const REPLAY_PAGE = 500;

/** The events of a page read after `position`, with the event at `position` itself first, if it is one the outbox reads. */
const withFirst = async (store: EventStore, position: Position, page: readonly RecordedEvent[]): Promise<readonly RecordedEvent[]> => {
  if (position.prepare === 0n) return page;
  const before = { commit: position.commit, prepare: position.prepare - 1n };
  const [at] = await store.readAll({ fromPosition: before, maxCount: 1, filter: WEBHOOK_FILTER });
  return at && comparePositions(at.position, position) === 0 ? [at, ...page] : page;
};

/** How long a rotated secret is still sent beside the new one unless said: a day, as Svix keeps it. */
const ROTATION_OVERLAP_MS = 86_400_000;

export type EndpointDeps = Readonly<{ db: Kysely<Database>; store: EventStore; wall: Clock; clock: Clock; jobs: WebhookJobs; allowPrivate: boolean }>;

/** A URL whose host is, or resolves to, a private address is refused here too (and again at every connection). */
const checkUrl = async (text: string, allowPrivate: boolean): Promise<void> => {
  if (allowPrivate) return;
  const host = new URL(text).hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : await lookup(host, { all: true }).then((a) => a.map((x) => x.address), () => []);
  if (addresses.some((a) => !isPublicAddress(a))) {
    throw new ValidationError('webhook_endpoint.private_address', `${host} is not a public address`, { fields: [{ path: 'url', message: 'resolves to a loopback, private or link-local address' }] });
  }
};

/**
 * Webhook endpoints: made, changed, disabled and enabled by ADMIN and
 * MANAGER, each a stream; the signing secret is made here, kept in
 * webhooks.endpoint_secrets, and rotated with an overlap.
 */
export const createWebhookEndpoints = (deps: EndpointDeps) => {
  const path = commandPath(deps.store, deps.wall, webhookEndpoints);
  const now = () => deps.wall.now().toISOString();
  const existing = async (endpointId: string) => {
    const folded = await path.current(endpointId);
    if (!endpointExists(folded.state)) throw new NotFoundError('webhook_endpoint.not_found', 'the webhook endpoint does not exist');
    return folded.state;
  };

  return {
    current: path.current,
    create: async (input: z.output<typeof endpointInput>, ask: Ask) => {
      await checkUrl(input.url, deps.allowPrivate);
      const endpointId = newId('whe');
      const secret = newWebhookSecret();
      await storeWebhookSecret(deps.db, endpointId, secret);
      const made = await path.run(endpointId, { type: 'CreateWebhookEndpoint', data: { endpointId, ...input, createdBy: userOf(ask.actor), now: now() } }, ask, true);
      return { ...made, secret };
    },
    update: async (endpointId: string, input: z.output<typeof endpointPatch>, ask: Ask) => {
      if (input.url !== undefined) await checkUrl(input.url, deps.allowPrivate);
      return path.run(endpointId, { type: 'UpdateWebhookEndpoint', data: { ...input, now: now() } }, ask);
    },
    disable: (endpointId: string, ask: Ask) => path.run(endpointId, { type: 'DisableWebhookEndpoint', data: { reason: 'manual', now: now() } }, ask),
    enable: async (endpointId: string, ask: Ask) => {
      const result = await path.run(endpointId, { type: 'EnableWebhookEndpoint', data: { now: now() } }, ask);
      // What was pending or retrying when it was disabled goes now: retries whose turn came meanwhile are due at once,
      // under new instants, so their retry jobs are asked for again.
      await deps.db
        .updateTable('webhooks.deliveries')
        .set({ next_attempt_at: deps.clock.now() })
        .where('endpoint_id', '=', endpointId)
        .where('status', '=', 'failed')
        .where('next_attempt_at', '<', deps.clock.now())
        .execute();
      await deps.jobs.drain([endpointId]);
      return result;
    },
    /** A new secret, shown this once; the old one is sent beside it until `previousExpiresAt` (a day unless said). */
    rotate: async (endpointId: string, input: z.output<typeof rotateInput>, ask: Ask) => {
      await existing(endpointId);
      const until = input.previousExpiresAt ?? new Date(deps.wall.now().getTime() + ROTATION_OVERLAP_MS).toISOString();
      const result = await path.run(endpointId, { type: 'RotateWebhookSecret', data: { previousExpiresAt: until, now: now() } }, ask);
      const secret = newWebhookSecret();
      await rotateWebhookSecret(deps.db, endpointId, secret, new Date(until));
      return { ...result, secret };
    },
    secretOf: async (endpointId: string): Promise<string> => {
      await existing(endpointId);
      const row = await deps.db.selectFrom('webhooks.endpoint_secrets').select('secret').where('endpoint_id', '=', endpointId).orderBy('secret_id', 'desc').executeTakeFirst();
      if (!row) throw new NotFoundError('webhook_endpoint.not_found', 'the webhook endpoint has no secret');
      return row.secret;
    },
    /**
     * Every message from `fromPosition` on that the endpoint takes now, sent
     * again in log order under its own `webhook-id` (a receiver drops what it
     * has), made again from the log: a delivery made is made again from its
     * first attempt; a message from before the endpoint existed gets its
     * first delivery.
     */
    replay: async (endpointId: string, fromPosition: string): Promise<{ messages: number }> => {
      const endpoint = await existing(endpointId);
      const wanted = (type: string) => endpoint.eventTypes.includes('*') || endpoint.eventTypes.includes(type);
      let position: Position | undefined = parsePosition(fromPosition);
      let count = 0;
      let first = true;
      for (;;) {
        const page = await deps.store.readAll({ fromPosition: position!, maxCount: REPLAY_PAGE, filter: WEBHOOK_FILTER });
        // readAll starts after a position; the one asked for is included.
        const events = first ? await withFirst(deps.store, position!, page) : page;
        first = false;
        const rows = events.flatMap((recorded) => messageRowsOf(recorded).map((row, seq) => ({ row, seq }))).filter(({ row }) => wanted(row.type));
        if (rows.length > 0) {
          await deps.db.transaction().execute(async (trx) => {
            await trx.insertInto('webhooks.messages').values(rows.map((r) => r.row)).onConflict((oc) => oc.column('message_id').doNothing()).execute();
            await trx
              .insertInto('webhooks.deliveries')
              .values(rows.map(({ row, seq }) => ({ endpoint_id: endpointId, message_id: row.message_id, commit: row.commit, prepare: row.prepare, seq, status: 'pending' as const })))
              .onConflict((oc) => oc.columns(['endpoint_id', 'message_id']).doUpdateSet({ status: 'pending', attempts: 0, next_attempt_at: null }))
              .execute();
          });
          count += rows.length;
        }
        if (page.length < REPLAY_PAGE) break;
        position = page.at(-1)!.position;
      }
      await deps.jobs.drain([endpointId]);
      return { messages: count };
    },
    /** A `webhook.test` message to this endpoint alone, ahead of anything waiting. */
    sendTest: async (endpointId: string): Promise<{ messageId: string }> => {
      await existing(endpointId);
      const messageId = `msg_test_${randomUUID().replaceAll('-', '')}`;
      const at = deps.clock.now().toISOString();
      await deps.db.transaction().execute(async (trx) => {
        const payload = { type: 'webhook.test', timestamp: at, data: { object: 'webhook_endpoint', endpointId } };
        await trx.insertInto('webhooks.messages').values({ message_id: messageId, type: 'webhook.test', stream: webhookEndpointStreamName(endpointId), revision: '0', commit: '0', prepare: '0', occurred_at: at, payload: JSON.stringify(payload) }).execute();
        await trx.insertInto('webhooks.deliveries').values({ endpoint_id: endpointId, message_id: messageId, commit: '0', prepare: '0', seq: 0, status: 'pending' }).execute();
      });
      await deps.jobs.drain([endpointId]);
      return { messageId };
    },
  };
};

export type WebhookEndpoints = ReturnType<typeof createWebhookEndpoints>;

/** An endpoint as the API shows it: never its secret. */
export const presentEndpoint = (s: ExistingEndpoint, revision: bigint) => ({
  endpointId: s.endpointId,
  url: s.url,
  eventTypes: s.eventTypes,
  description: s.description ?? null,
  enabled: s.status === 'ENABLED',
  disabledReason: s.status === 'DISABLED' ? s.disabledReason : null,
  createdBy: s.createdBy,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
  revision: revision.toString(),
});
