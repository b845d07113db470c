import { createHash } from 'node:crypto';
import { ConflictError, type Command, type Decider, type Event } from '../shared/index.js';

/**
 * Email uniqueness without a unique index: each address owns a deterministic
 * stream, created with `no_stream`, so of two registrations racing for it one wins.
 */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export const emailReservationStreamName = (email: string): string =>
  `user_email-${createHash('sha256').update(normalizeEmail(email)).digest('hex')}`;

export type ReserveEmail = Command<'ReserveEmail', { email: string; userId: string; now: string }>;
export type EmailReserved = Event<'EmailReserved', { email: string; userId: string; reservedAt: string }>;

export type EmailReservationState =
  | Readonly<{ status: 'free' }>
  | Readonly<{ status: 'reserved'; userId: string }>;

const decide = (command: ReserveEmail, state: EmailReservationState): EmailReserved[] => {
  switch (command.type) {
    case 'ReserveEmail':
      if (state.status === 'reserved') {
        if (state.userId === command.data.userId) return [];
        throw new ConflictError('user.email_taken', 'that email address is already registered');
      }
      return [
        {
          type: 'EmailReserved',
          data: { email: normalizeEmail(command.data.email), userId: command.data.userId, reservedAt: command.data.now },
        },
      ];
  }
  // A one-member union narrows only its tag, not the command itself.
  const _exhaustive: never = command.type;
  return _exhaustive;
};

const evolve = (_state: EmailReservationState, event: EmailReserved): EmailReservationState => ({
  status: 'reserved',
  userId: event.data.userId,
});

export const emailReservationDecider: Decider<EmailReservationState, ReserveEmail, EmailReserved> = {
  decide,
  evolve,
  initialState: () => ({ status: 'free' }),
};
