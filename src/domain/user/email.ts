import { ConflictError, type Command, type Decider, type Event } from '../shared/index.js';

/**
 * Email uniqueness without a unique index: each address owns a deterministic
 * stream (named by the caller from a hash of the normalised address), so of two
 * registrations racing for it one wins. A registration that fails after
 * reserving releases the address again, so nothing stays reserved for a user
 * who never came to be.
 */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export type ReserveEmail = Command<'ReserveEmail', { email: string; userId: string; now: string }>;
export type ReleaseEmail = Command<'ReleaseEmail', { userId: string; reason: string; now: string }>;
export type EmailReservationCommand = ReserveEmail | ReleaseEmail;

export type EmailReserved = Event<'EmailReserved', { email: string; userId: string; reservedAt: string }>;
export type EmailReleased = Event<'EmailReleased', { userId: string; reason: string; releasedAt: string }>;
export type EmailReservationEvent = EmailReserved | EmailReleased;

export type EmailReservationState =
  | Readonly<{ status: 'free' }>
  | Readonly<{ status: 'reserved'; userId: string }>;

const decide = (command: EmailReservationCommand, state: EmailReservationState): EmailReservationEvent[] => {
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
    case 'ReleaseEmail': {
      const { userId, reason, now } = command.data;
      // Only the holder's own failed registration gives an address back.
      if (state.status !== 'reserved' || state.userId !== userId) return [];
      return [{ type: 'EmailReleased', data: { userId, reason, releasedAt: now } }];
    }
  }
  const _exhaustive: never = command;
  return _exhaustive;
};

const evolve = (_state: EmailReservationState, event: EmailReservationEvent): EmailReservationState => {
  switch (event.type) {
    case 'EmailReserved':
      return { status: 'reserved', userId: event.data.userId };
    case 'EmailReleased':
      return { status: 'free' };
  }
};

export const emailReservationDecider: Decider<EmailReservationState, EmailReservationCommand, EmailReservationEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: 'free' }),
};
