import { evolveCollection, collectionEventAt } from './collection.js';
import type { InvoiceEvent } from './events.js';
import { currentFacts } from './lines.js';
import { evolveCreditNotes } from './creditNotes.js';
import type { InvoiceState } from './state.js';

/**
 * Each status adds its own instant to those before it: a paid invoice keeps
 * when it was finalised and, if it was, marked uncollectible. The decider never
 * moves a PAID or VOID invoice, and marks uncollectible or paid only a
 * numbered one, which the casts below take on trust.
 */
export const evolveInvoice = (state: InvoiceState, event: InvoiceEvent): InvoiceState => {
  if (event.type === 'InvoiceCreated') {
    const { createdAt, ...facts } = currentFacts(event.data);
    return { status: 'DRAFT', ...facts, paid: 0, createdAt, updatedAt: createdAt };
  }
  if (state.status === 'NONE') return state;
  switch (event.type) {
    case 'InvoiceFinalized': {
      const { number, finalizedAt } = event.data;
      return { ...state, status: 'OPEN', number, finalizedAt, updatedAt: finalizedAt };
    }
    case 'InvoiceMarkedUncollectible': {
      const { markedAt } = event.data;
      return { ...state, status: 'UNCOLLECTIBLE', markedUncollectibleAt: markedAt, updatedAt: markedAt } as InvoiceState;
    }
    case 'InvoicePaid': {
      const { paymentId, paidAt } = event.data;
      return { ...state, status: 'PAID', ...(paymentId !== undefined && { paymentId }), paidAt, updatedAt: paidAt } as InvoiceState;
    }
    case 'PaymentSucceeded': {
      const paid = state.paid + (event.data.applied ?? event.data.amount);
      return { ...state, paid, collection: evolveCollection(state.collection, event), updatedAt: collectionEventAt(event) };
    }
    case 'PaymentAttempted':
    case 'PaymentFailed':
    case 'DunningStopped':
    case 'GraceExtended':
      return { ...state, collection: evolveCollection(state.collection, event), updatedAt: collectionEventAt(event) };
    case 'InvoiceCreditNoted':
      return { ...state, creditNotes: evolveCreditNotes(state.creditNotes, event), updatedAt: event.data.issuedAt };
    case 'InvoiceCreditNoteVoided':
      return { ...state, creditNotes: evolveCreditNotes(state.creditNotes, event), updatedAt: event.data.voidedAt };
    case 'InvoiceVoided': {
      const { reason, voidedAt } = event.data;
      // Its credit notes (each took only from what was due) go with it.
      const creditNotes = state.creditNotes?.map((n) => (n.status === 'ISSUED' ? { ...n, status: 'VOID' as const, voidedAt } : n));
      return { ...state, status: 'VOID', ...(reason !== undefined && { voidReason: reason }), ...(creditNotes && { creditNotes }), voidedAt, updatedAt: voidedAt };
    }
  }
};
