import { applyOptional } from '../shared/index.js';
import type { CustomerEvent } from './events.js';
import type { CustomerState } from './state.js';

export const evolveCustomer = (state: CustomerState, event: CustomerEvent): CustomerState => {
  if (event.type === 'CustomerRegistered') {
    const { registeredAt, draftInvoices, ...profile } = event.data;
    return { status: 'registered', ...profile, draftInvoices: draftInvoices ?? false, credit: {}, createdAt: registeredAt, updatedAt: registeredAt };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'CustomerUpdated': {
      const { ownerUserId: oldOwner, metadata: oldMetadata, ...rest } = state;
      const ownerUserId = applyOptional(oldOwner, event.data.ownerUserId);
      const metadata = applyOptional(oldMetadata, event.data.metadata);
      return {
        ...rest,
        name: event.data.name ?? state.name,
        email: event.data.email ?? state.email,
        draftInvoices: event.data.draftInvoices ?? state.draftInvoices,
        ...(ownerUserId !== undefined && { ownerUserId }),
        ...(metadata !== undefined && { metadata }),
        updatedAt: event.data.updatedAt,
      };
    }
    case 'CustomerDiscountApplied': {
      const { customerId: _c, appliedAt, ...discount } = event.data;
      return { ...state, discount, updatedAt: appliedAt };
    }
    case 'CustomerDiscountRemoved': {
      const { discount: _d, ...rest } = state;
      return { ...rest, updatedAt: event.data.removedAt };
    }
    case 'CustomerTaxRateSet': {
      const { taxRateId: _old, ...rest } = state;
      return { ...rest, ...(event.data.taxRateId !== null && { taxRateId: event.data.taxRateId }), updatedAt: event.data.setAt };
    }
    case 'PaymentMethodAttached':
      return { ...state, paymentMethod: event.data.paymentMethod, updatedAt: event.data.attachedAt };
    case 'CustomerCreditGranted':
      return { ...state, credit: { ...state.credit, [event.data.currency]: event.data.balanceAfter }, updatedAt: event.data.grantedAt };
    case 'CustomerCreditApplied':
      return { ...state, credit: { ...state.credit, [event.data.currency]: event.data.balanceAfter }, updatedAt: event.data.appliedAt };
  }
};
