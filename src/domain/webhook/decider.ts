import { compareInstants, ConflictError, NotFoundError, ValidationError, type Decider } from '../shared/index.js';
import type { WebhookEndpointCommand, WebhookEndpointEvent, WebhookEndpointState } from './types.js';

const notFound = () => new NotFoundError('webhook_endpoint.not_found', 'the webhook endpoint does not exist');
const invalid = (path: string, message: string) => new ValidationError('webhook_endpoint.invalid', `${path} ${message}`, { fields: [{ path, message }] });

const sameTypes = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((t, i) => t === b[i]);

export const decideWebhookEndpoint = (command: WebhookEndpointCommand, state: WebhookEndpointState): WebhookEndpointEvent[] => {
  switch (command.type) {
    case 'CreateWebhookEndpoint': {
      const { now, ...terms } = command.data;
      if (state.status !== 'NONE') {
        if (state.url === terms.url && sameTypes(state.eventTypes, terms.eventTypes)) return [];
        throw new ConflictError('webhook_endpoint.already_exists', `webhook endpoint ${state.endpointId} already exists`);
      }
      if (terms.eventTypes.length === 0) throw invalid('eventTypes', 'needs at least one type, or "*"');
      return [{ type: 'WebhookEndpointCreated', data: { ...terms, createdAt: now } }];
    }
    case 'UpdateWebhookEndpoint': {
      if (state.status === 'NONE') throw notFound();
      const { now, ...changes } = command.data;
      if (changes.eventTypes !== undefined && changes.eventTypes.length === 0) throw invalid('eventTypes', 'needs at least one type, or "*"');
      const changed = {
        ...(changes.url !== undefined && changes.url !== state.url && { url: changes.url }),
        ...(changes.eventTypes !== undefined && !sameTypes(changes.eventTypes, state.eventTypes) && { eventTypes: changes.eventTypes }),
        ...(changes.description !== undefined && changes.description !== state.description && { description: changes.description }),
      };
      if (Object.keys(changed).length === 0) return [];
      return [{ type: 'WebhookEndpointUpdated', data: { endpointId: state.endpointId, ...changed, updatedAt: now } }];
    }
    case 'DisableWebhookEndpoint':
      if (state.status === 'NONE') throw notFound();
      if (state.status === 'DISABLED') return [];
      return [{ type: 'WebhookEndpointDisabled', data: { endpointId: state.endpointId, reason: command.data.reason, disabledAt: command.data.now } }];
    case 'EnableWebhookEndpoint':
      if (state.status === 'NONE') throw notFound();
      if (state.status === 'ENABLED') return [];
      return [{ type: 'WebhookEndpointEnabled', data: { endpointId: state.endpointId, enabledAt: command.data.now } }];
    case 'RotateWebhookSecret': {
      if (state.status === 'NONE') throw notFound();
      const { previousExpiresAt, now } = command.data;
      if (compareInstants(previousExpiresAt, now) < 0) throw invalid('previousExpiresAt', 'must not be in the past');
      return [{ type: 'WebhookSecretRotated', data: { endpointId: state.endpointId, previousExpiresAt, rotatedAt: now } }];
    }
  }
  const _exhaustive: never = command;
  return _exhaustive;
};

export const evolveWebhookEndpoint = (state: WebhookEndpointState, event: WebhookEndpointEvent): WebhookEndpointState => {
  switch (event.type) {
    case 'WebhookEndpointCreated': {
      const { createdAt, ...terms } = event.data;
      return { ...terms, status: 'ENABLED', createdAt, updatedAt: createdAt };
    }
    case 'WebhookEndpointUpdated': {
      if (state.status === 'NONE') return state;
      const { endpointId: _id, updatedAt, ...changes } = event.data;
      return { ...state, ...changes, updatedAt };
    }
    case 'WebhookEndpointDisabled':
      return state.status === 'ENABLED' ? { ...state, status: 'DISABLED', disabledReason: event.data.reason, disabledAt: event.data.disabledAt, updatedAt: event.data.disabledAt } : state;
    case 'WebhookEndpointEnabled': {
      if (state.status !== 'DISABLED') return state;
      const { disabledReason: _r, disabledAt: _d, ...rest } = state;
      return { ...rest, status: 'ENABLED', updatedAt: event.data.enabledAt };
    }
    case 'WebhookSecretRotated':
      return state.status === 'NONE' ? state : { ...state, updatedAt: event.data.rotatedAt };
  }
};

export const webhookEndpointDecider: Decider<WebhookEndpointState, WebhookEndpointCommand, WebhookEndpointEvent> = {
  decide: decideWebhookEndpoint,
  evolve: evolveWebhookEndpoint,
  initialState: () => ({ status: 'NONE' }),
};
