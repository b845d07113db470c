import type { Event } from '../shared/index.js';
import type { CollectionEvent } from './collectionTypes.js';
import type { CreditNoteEvent } from './creditNoteTypes.js';
import type { InvoiceFacts } from './state.js';

/**
 * The lines include `credit_to_balance` when the items summed below zero: the
 * customer is granted that amount once the invoice is finalised. Recorded
 * before `creditApplied` existed, the subtotal and total had the credit
 * applied taken off them: read them through `currentFacts`.
 */
export type InvoiceCreated = Event<'InvoiceCreated', InvoiceFacts & { autoFinalize: boolean; createdAt: string }>;
export type InvoiceFinalized = Event<'InvoiceFinalized', { invoiceId: string; number: string; finalizedAt: string }>;
export type InvoiceVoided = Event<'InvoiceVoided', { invoiceId: string; reason?: string; voidedAt: string }>;
/** `reason` is `grace_ended` when dunning ran out; an operator's mark has none. */
export type InvoiceMarkedUncollectible = Event<'InvoiceMarkedUncollectible', { invoiceId: string; reason?: 'grace_ended'; markedAt: string }>;
export type InvoicePaid = Event<'InvoicePaid', { invoiceId: string; paymentId?: string; paidAt: string }>;

export type InvoiceEvent = InvoiceCreated | InvoiceFinalized | InvoiceVoided | InvoiceMarkedUncollectible | InvoicePaid | CollectionEvent | CreditNoteEvent;
