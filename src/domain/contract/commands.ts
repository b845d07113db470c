import type { Command } from '../shared/index.js';
import type { ContractTerms } from './state.js';

export type CreateContract = Command<'CreateContract', ContractTerms & { contractId: string; now: string }>;
export type ActivateContract = Command<'ActivateContract', { now: string }>;
export type SuspendContract = Command<'SuspendContract', { reason?: string; now: string }>;
export type ResumeContract = Command<'ResumeContract', { now: string }>;
export type TerminateContract = Command<'TerminateContract', { reason?: string; now: string }>;
/** Sent by the scheduler once `endsAt` has passed. */
export type ExpireContract = Command<'ExpireContract', { now: string }>;

export type ContractCommand =
  | CreateContract
  | ActivateContract
  | SuspendContract
  | ResumeContract
  | TerminateContract
  | ExpireContract;
