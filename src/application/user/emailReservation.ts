import { createHash } from 'node:crypto';
import { normalizeEmail } from '../../domain/user/index.js';

/** One stream per address, whatever its case and spacing; the hash keeps the address out of stream names. */
export const emailReservationStreamName = (email: string): string =>
  `user_email-${createHash('sha256').update(normalizeEmail(email)).digest('hex')}`;
