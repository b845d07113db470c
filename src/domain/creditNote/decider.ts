import { ConflictError, NotFoundError, type Decider } from '../shared/index.js';
import type { CreditNoteCommand, CreditNoteEvent, CreditNoteState } from './types.js';

export const decideCreditNote = (command: CreditNoteCommand, state: CreditNoteState): CreditNoteEvent[] => {
  switch (command.type) {
    case 'RecordCreditNote': {
      if (state.status === 'NONE') return [{ type: 'CreditNoteIssued', data: command.data }];
      // Recorded already (a retried process): the same document is no change.
      const { invoiceId, number, amount } = command.data;
      if (state.invoiceId === invoiceId && state.number === number && state.amount === amount) return [];
      throw new ConflictError('credit_note.already_exists', `credit note ${state.creditNoteId} is recorded with other facts`);
    }
    case 'RecordCreditNoteVoid':
      if (state.status === 'NONE') throw new NotFoundError('credit_note.not_found', 'the credit note does not exist');
      if (state.status === 'VOID') return [];
      return [{ type: 'CreditNoteVoided', data: { creditNoteId: state.creditNoteId, voidedAt: command.data.voidedAt } }];
  }
  const _exhaustive: never = command;
  return _exhaustive;
};

export const evolveCreditNote = (state: CreditNoteState, event: CreditNoteEvent): CreditNoteState => {
  switch (event.type) {
    case 'CreditNoteIssued':
      return { ...event.data, status: 'ISSUED' };
    case 'CreditNoteVoided':
      return state.status === 'ISSUED' ? { ...state, status: 'VOID', voidedAt: event.data.voidedAt } : state;
  }
};

export const creditNoteDecider: Decider<CreditNoteState, CreditNoteCommand, CreditNoteEvent> = {
  decide: decideCreditNote,
  evolve: evolveCreditNote,
  initialState: () => ({ status: 'NONE' }),
};
