import { ConflictError, NotFoundError, ValidationError, type Decider } from '../shared/index.js';
import type { RefundCommand, RefundEvent, RefundState } from './types.js';

export const decideRefund = (command: RefundCommand, state: RefundState): RefundEvent[] => {
  switch (command.type) {
    case 'RequestRefund': {
      const { now, ...facts } = command.data;
      if (!Number.isSafeInteger(facts.amount) || facts.amount <= 0) throw new ValidationError('refund.invalid', 'a refund is a whole number of minor units above 0', { field: 'amount' });
      if (state.status !== 'NONE') {
        // Asked again (a retried process): the same refund is no change.
        if (state.chargeId === facts.chargeId && state.amount === facts.amount && state.invoiceId === facts.invoiceId) return [];
        throw new ConflictError('refund.already_exists', `refund ${state.refundId} exists with other facts`);
      }
      return [{ type: 'RefundRequested', data: { ...facts, requestedAt: now } }];
    }
    case 'RecordRefundResult': {
      const { result, now } = command.data;
      if (state.status === 'NONE') throw new NotFoundError('refund.not_found', 'the refund was never requested');
      if (state.status !== 'PENDING') {
        const same = state.gatewayRefundId === result.gatewayRefundId && (state.status === 'SUCCEEDED') === (result.outcome === 'succeeded');
        if (same) return [];
        throw new ConflictError('refund.result_conflict', `the refund already ${state.status.toLowerCase()}`);
      }
      const { refundId, invoiceId, customerId, amount, currency } = state;
      const moved = { refundId, invoiceId, customerId, amount, currency, gatewayRefundId: result.gatewayRefundId };
      if (result.outcome === 'succeeded') return [{ type: 'RefundSucceeded', data: { ...moved, succeededAt: now } }];
      return [{ type: 'RefundFailed', data: { ...moved, code: result.code, failedAt: now } }];
    }
  }
  const _exhaustive: never = command;
  return _exhaustive;
};

export const evolveRefund = (state: RefundState, event: RefundEvent): RefundState => {
  switch (event.type) {
    case 'RefundRequested': {
      const { requestedAt, ...facts } = event.data;
      return { ...facts, status: 'PENDING', requestedAt };
    }
    case 'RefundSucceeded':
      return state.status === 'PENDING' ? { ...state, status: 'SUCCEEDED', gatewayRefundId: event.data.gatewayRefundId, settledAt: event.data.succeededAt } : state;
    case 'RefundFailed':
      return state.status === 'PENDING'
        ? { ...state, status: 'FAILED', gatewayRefundId: event.data.gatewayRefundId, code: event.data.code, settledAt: event.data.failedAt }
        : state;
  }
};

export const refundDecider: Decider<RefundState, RefundCommand, RefundEvent> = {
  decide: decideRefund,
  evolve: evolveRefund,
  initialState: () => ({ status: 'NONE' }),
};
