import type { Logger } from 'winston';
import type { Clock } from '../../clock/index.js';
import { SYSTEM_ACTORS } from '../../domain/shared/index.js';
import { userDecider, userStreamName } from '../../domain/user/index.js';
import { webhookEndpointDecider, webhookEndpointStreamName } from '../../domain/webhook/index.js';
import { foldStream, handleCommand, type EventStore } from '../../eventstore/index.js';
import { messageIdFor, type Mailer } from '../notice/index.js';

export type DisableDeps = Readonly<{ store: EventStore; clock: Clock; logger: Logger; mailer: Mailer; mailFrom: string }>;

/**
 * An endpoint that has failed everything for five days is disabled (once:
 * the commandId is the failure's start), and the user who made it is told by
 * mail. What was already pending for it waits until it is enabled again;
 * what happens meanwhile is not kept for it (a replay sends it).
 */
export const disableFailingEndpoint = (deps: DisableDeps) => async (endpointId: string, failingSince: Date): Promise<void> => {
  const now = deps.clock.now();
  const disabled = await handleCommand(
    deps.store,
    webhookEndpointStreamName(endpointId),
    webhookEndpointDecider,
    { type: 'DisableWebhookEndpoint', data: { reason: 'failing', now: now.toISOString() } },
    {
      commandId: `webhook-failing:${endpointId}:${failingSince.toISOString()}`,
      correlationId: `webhook-failing:${endpointId}`,
      actor: SYSTEM_ACTORS.webhooks,
      source: 'webhooks',
      occurredAt: now,
    },
  );
  if (disabled.newEvents.length === 0 || disabled.newState.status === 'NONE') return;
  const { url, createdBy } = disabled.newState;
  deps.logger.error('webhook endpoint disabled: it failed every attempt for five days', { endpointId, url, failingSince: failingSince.toISOString() });
  const maker = (await foldStream(deps.store, userStreamName(createdBy), userDecider)).state;
  if (maker.status === 'unregistered') return;
  const text = `The webhook endpoint ${endpointId} (${url}) has failed every delivery since ${failingSince.toISOString()} and is now disabled.\nNothing is sent to it while it is disabled. Enable it again (POST /v1/webhook-endpoints/${endpointId}/enable), and replay what it missed from a position (POST /v1/webhook-endpoints/${endpointId}/replay).\n`;
  await deps.mailer.send({
    to: maker.email,
    subject: `Webhook endpoint disabled: ${url}`,
    text,
    html: `<p>${text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('\n', '<br>')}</p>`,
    messageId: messageIdFor(`webhook_disabled:${endpointId}:${failingSince.toISOString()}`, deps.mailFrom),
    date: now,
  });
};
