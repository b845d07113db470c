export type * from './types.js';
export { creditNoteDecider } from './decider.js';

export const creditNoteStreamName = (creditNoteId: string): string => `credit_note-${creditNoteId}`;
