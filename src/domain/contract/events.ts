import type { Event } from '../shared/index.js';
import type { ContractTerms } from './state.js';

export type ContractCreated = Event<'ContractCreated', ContractTerms & { contractId: string; createdAt: string }>;
export type ContractActivated = Event<'ContractActivated', { contractId: string; activatedAt: string }>;
export type ContractSuspended = Event<'ContractSuspended', { contractId: string; reason?: string; suspendedAt: string }>;
export type ContractResumed = Event<'ContractResumed', { contractId: string; resumedAt: string }>;
export type ContractTerminated = Event<'ContractTerminated', { contractId: string; reason?: string; terminatedAt: string }>;
export type ContractExpired = Event<'ContractExpired', { contractId: string; expiredAt: string }>;

export type ContractEvent =
  | ContractCreated
  | ContractActivated
  | ContractSuspended
  | ContractResumed
  | ContractTerminated
  | ContractExpired;
