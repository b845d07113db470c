import { createHash } from 'node:crypto';
import type { Insertable, Transaction } from 'kysely';
import type { Database } from '../../db/index.js';
import { WEBHOOK_SOURCE_EVENTS, webhookMessageOf, type WebhookEndpointEvent } from '../../domain/webhook/index.js';
import { formatPosition, type RecordedEvent } from '../../eventstore/index.js';
import { inChunks, type Projection } from '../runtime/index.js';
import type { WebhookMessagesTable } from './table.js';

export const WEBHOOKS_PROJECTION = 'webhooks';

const ENDPOINT_EVENTS = new Set<string>(['WebhookEndpointCreated', 'WebhookEndpointUpdated', 'WebhookEndpointDisabled', 'WebhookEndpointEnabled', 'WebhookSecretRotated']);

/** `msg_…`: one id per domain event and message type, the same on every replay: a receiver's key for duplicates (`webhook-id`). */
export const messageIdOf = (eventId: string, type: string): string => `msg_${createHash('sha256').update(`${eventId}:${type}`).digest('hex').slice(0, 32)}`;

/** The body every endpoint gets for a message (Standard Webhooks: `type`, `timestamp`, `data`), with where it stands in the log and its stream. */
const bodyOf = (recorded: RecordedEvent, type: string, object: string, data: Readonly<Record<string, unknown>>) => ({
  type,
  timestamp: recorded.metadata.occurredAt,
  data: {
    object,
    stream: recorded.streamName,
    revision: recorded.revision.toString(),
    position: formatPosition(recorded.position),
    event: recorded.type,
    attributes: data,
  },
});

/** The messages a recorded event becomes, as outbox rows: the same ids and bodies whenever they are made (a replay makes them again). */
export const messageRowsOf = (recorded: RecordedEvent): Insertable<WebhookMessagesTable>[] =>
  webhookMessageOf(recorded.type, recorded.data as Record<string, unknown>).map((message) => ({
    message_id: messageIdOf(recorded.eventId, message.type),
    type: message.type,
    stream: recorded.streamName,
    revision: recorded.revision.toString(),
    commit: recorded.position.commit.toString(),
    prepare: recorded.position.prepare.toString(),
    occurred_at: recorded.metadata.occurredAt,
    payload: JSON.stringify(bodyOf(recorded, message.type, message.object, message.data)),
  }));

/** The event types the outbox reads of the log. */
export const WEBHOOK_FILTER = { eventTypes: [...ENDPOINT_EVENTS, ...WEBHOOK_SOURCE_EVENTS] };

type Endpoint = { eventTypes: readonly string[]; enabled: boolean };

const applyEndpointEvent = async (trx: Transaction<Database>, recorded: RecordedEvent, endpoints: Map<string, Endpoint>) => {
  const event = { type: recorded.type, data: recorded.data } as WebhookEndpointEvent;
  const revision = recorded.revision.toString();
  switch (event.type) {
    case 'WebhookEndpointCreated': {
      const { endpointId, url, eventTypes, description, createdBy, createdAt } = event.data;
      await trx
        .insertInto('read.webhook_endpoints')
        .values({ endpoint_id: endpointId, url, event_types: [...eventTypes], description: description ?? null, enabled: true, created_by: createdBy, revision, created_at: createdAt, updated_at: createdAt })
        .onConflict((oc) => oc.column('endpoint_id').doNothing())
        .execute();
      endpoints.set(endpointId, { eventTypes, enabled: true });
      return;
    }
    case 'WebhookEndpointUpdated': {
      const { endpointId, url, eventTypes, description, updatedAt } = event.data;
      await trx
        .updateTable('read.webhook_endpoints')
        .set({ ...(url !== undefined && { url }), ...(eventTypes !== undefined && { event_types: [...eventTypes] }), ...(description !== undefined && { description }), revision, updated_at: updatedAt })
        .where('endpoint_id', '=', endpointId)
        .execute();
      const known = endpoints.get(endpointId);
      if (known && eventTypes !== undefined) known.eventTypes = eventTypes;
      return;
    }
    case 'WebhookEndpointDisabled':
    case 'WebhookEndpointEnabled': {
      const enabled = event.type === 'WebhookEndpointEnabled';
      const at = event.type === 'WebhookEndpointEnabled' ? event.data.enabledAt : event.data.disabledAt;
      await trx
        .updateTable('read.webhook_endpoints')
        .set({ enabled, disabled_reason: event.type === 'WebhookEndpointDisabled' ? event.data.reason : null, revision, updated_at: at })
        .where('endpoint_id', '=', event.data.endpointId)
        .execute();
      const known = endpoints.get(event.data.endpointId);
      if (known) known.enabled = enabled;
      return;
    }
    case 'WebhookSecretRotated':
      await trx.updateTable('read.webhook_endpoints').set({ revision, updated_at: event.data.rotatedAt }).where('endpoint_id', '=', event.data.endpointId).execute();
      return;
  }
};

const wants = (endpoint: Endpoint, type: string) => endpoint.enabled && (endpoint.eventTypes.includes('*') || endpoint.eventTypes.includes(type));

/**
 * The webhooks' outbox, in the transaction that moves its checkpoint: each
 * domain event's messages that some endpoint wants, once, and a delivery of
 * each to every endpoint enabled and subscribed to its type at that position
 * in the log. Append
 * only: a rebuild from the start finds every message and delivery already
 * there and changes none, so nothing is sent twice. `touched` hears, after the
 * commit, which endpoints have new deliveries waiting.
 */
export const webhooksProjection = (touched: (endpointIds: ReadonlySet<string>) => Promise<void> = async () => undefined): Projection => {
  const waiting = new Map<readonly RecordedEvent[], Set<string>>();
  return {
    name: WEBHOOKS_PROJECTION,
    filter: WEBHOOK_FILTER,
    apply: async (trx, events) => {
      const rows = await trx.selectFrom('read.webhook_endpoints').select(['endpoint_id', 'event_types', 'enabled']).execute();
      const endpoints = new Map<string, Endpoint>(rows.map((r) => [r.endpoint_id, { eventTypes: r.event_types, enabled: r.enabled }]));
      const messages: Insertable<WebhookMessagesTable>[] = [];
      const deliveries: { endpoint_id: string; message_id: string; commit: string; prepare: string; seq: number; status: 'pending' }[] = [];
      const touchedNow = new Set<string>();
      for (const recorded of events) {
        if (ENDPOINT_EVENTS.has(recorded.type)) {
          await applyEndpointEvent(trx, recorded, endpoints);
          // Made or enabled: what was asked for it before this row existed (a test, a replay) is drained once it does.
          if (recorded.type === 'WebhookEndpointCreated' || recorded.type === 'WebhookEndpointEnabled') touchedNow.add((recorded.data as { endpointId: string }).endpointId);
          continue;
        }
        // Written only where an endpoint wants it: with none, the outbox costs a billing run nothing (a replay makes it from the log).
        if (endpoints.size === 0) continue;
        for (const [seq, row] of messageRowsOf(recorded).entries()) {
          const wanting = [...endpoints].filter(([, endpoint]) => wants(endpoint, row.type));
          if (wanting.length === 0) continue;
          messages.push(row);
          for (const [endpointId] of wanting) deliveries.push({ endpoint_id: endpointId, message_id: row.message_id, commit: String(row.commit), prepare: String(row.prepare), seq, status: 'pending' });
        }
      }
      for (const chunk of inChunks(messages)) await trx.insertInto('webhooks.messages').values(chunk).onConflict((oc) => oc.column('message_id').doNothing()).execute();
      for (const chunk of inChunks(deliveries)) await trx.insertInto('webhooks.deliveries').values(chunk).onConflict((oc) => oc.columns(['endpoint_id', 'message_id']).doNothing()).execute();
      for (const d of deliveries) touchedNow.add(d.endpoint_id);
      if (touchedNow.size > 0) waiting.set(events, touchedNow);
    },
    afterCommit: async (events) => {
      const endpointIds = waiting.get(events);
      waiting.delete(events);
      if (endpointIds) await touched(endpointIds);
    },
    // The endpoints' read model is rebuilt; the outbox is kept, and a rebuild adds nothing to it.
    reset: async (trx) => {
      await trx.deleteFrom('read.webhook_endpoints').execute();
    },
  };
};
