import { addDays, compareInstants, ConflictError, ValidationError } from '../shared/index.js';
import type { Collection, DunningCommand, DunningEvent } from './collectionTypes.js';
import type { InvoiceMarkedUncollectible } from './events.js';
import { collectible, type InvoiceState } from './state.js';

/**
 * The end of dunning, and an operator's say over it. Grace ends on its own
 * (the scheduler sends ExpireGrace); an operator may stop dunning altogether
 * or give the customer more days of grace. Each is an event on the invoice's
 * stream, with the operator as its actor: the audit trail shows who did it.
 */

/** An extension is whole days, at most a year at a time. */
export const MAX_GRACE_EXTENSION_DAYS = 365;

const withReason = (reason: string | undefined) => (reason !== undefined ? { reason } : {});

export const decideDunning = (command: DunningCommand, state: InvoiceState): (DunningEvent | InvoiceMarkedUncollectible)[] => {
  switch (command.type) {
    case 'ExpireGrace': {
      const { now } = command.data;
      if (state.status === 'UNCOLLECTIBLE') return [];
      const invoice = collectible(state, 'become uncollectible');
      const ends = invoice.collection?.graceEndsAt;
      if (!ends || compareInstants(now, ends) < 0) {
        throw new ConflictError('invoice.grace_running', ends ? `grace ends at ${ends}` : 'no grace period is running', { graceEndsAt: ends ?? null });
      }
      return [{ type: 'InvoiceMarkedUncollectible', data: { invoiceId: invoice.invoiceId, reason: 'grace_ended', markedAt: now } }];
    }
    case 'StopDunning': {
      const { reason, now } = command.data;
      const invoice = collectible(state, 'stop dunning');
      const c = invoice.collection;
      if (c?.stoppedAt) return [];
      if (!c?.firstFailedAt) throw new ConflictError('invoice.not_in_dunning', 'no payment of this invoice has failed: there is no dunning to stop');
      return [{ type: 'DunningStopped', data: { invoiceId: invoice.invoiceId, ...withReason(reason), stoppedAt: now } }];
    }
    case 'ExtendGrace': {
      const { days, reason, now } = command.data;
      if (!Number.isSafeInteger(days) || days < 1 || days > MAX_GRACE_EXTENSION_DAYS) {
        throw new ValidationError('invoice.invalid', `an extension is 1 to ${MAX_GRACE_EXTENSION_DAYS} whole days`, { field: 'days' });
      }
      const invoice = collectible(state, 'extend grace');
      const c = invoice.collection;
      if (c?.stoppedAt) throw new ConflictError('invoice.dunning_stopped', `dunning was stopped at ${c.stoppedAt}: no grace is running`);
      if (!c?.graceEndsAt) throw new ConflictError('invoice.grace_not_started', 'grace has not begun: retries are still running, or no payment has failed');
      // Grace that has already ended (the scheduler not yet run) may still be extended: the invoice is still open.
      return [
        {
          type: 'GraceExtended',
          data: { invoiceId: invoice.invoiceId, previousGraceEndsAt: c.graceEndsAt, graceEndsAt: addDays(c.graceEndsAt, days), ...withReason(reason), extendedAt: now },
        },
      ];
    }
  }
  const _exhaustive: never = command;
  return _exhaustive;
};

export const evolveDunning = (c: Collection, event: DunningEvent): Collection => {
  switch (event.type) {
    case 'DunningStopped': {
      const { nextRetryAt: _retry, graceEndsAt: _grace, ...rest } = c;
      return { ...rest, stoppedAt: event.data.stoppedAt };
    }
    case 'GraceExtended':
      return { ...c, graceEndsAt: event.data.graceEndsAt };
  }
};
