import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/domain/shared/index.js';
import { emailReservationStreamName } from '../../src/application/user/emailReservation.js';
import { emailReservationDecider } from '../../src/domain/user/email.js';
import { deciderSpec } from '../support/deciderSpec.js';

const NOW = '2026-02-01T08:00:00.000Z';
const spec = deciderSpec(emailReservationDecider);
const reserve = (userId: string, email = ' Ada@Example.COM ') => ({ type: 'ReserveEmail' as const, data: { email, userId, now: NOW } });
const reserved = { type: 'EmailReserved' as const, data: { email: 'ada@example.com', userId: 'usr_1', reservedAt: NOW } };

describe('Email reservation', () => {
  it('names one stream per address, whatever its case and spacing', () => {
    expect(emailReservationStreamName(' Ada@Example.COM ')).toBe(emailReservationStreamName('ada@example.com'));
    expect(emailReservationStreamName('ada@example.com')).toMatch(/^user_email-[0-9a-f]{64}$/);
    expect(emailReservationStreamName('bob@example.com')).not.toBe(emailReservationStreamName('ada@example.com'));
  });
  it('reserves a free address, normalised', () => spec.given([]).when(reserve('usr_1')).then([reserved]));
  it('is a no-op for the user who holds it', () => spec.given([reserved]).when(reserve('usr_1')).then([]));
  it('refuses anybody else', () =>
    spec.given([reserved]).when(reserve('usr_2', 'ADA@example.com')).then({ error: ConflictError, reason: 'user.email_taken' }));

  const release = (userId: string) => ({ type: 'ReleaseEmail' as const, data: { userId, reason: 'registration_failed', now: NOW } });
  const released = { type: 'EmailReleased' as const, data: { userId: 'usr_1', reason: 'registration_failed', releasedAt: NOW } };
  it('is released by the registration that holds it', () => spec.given([reserved]).when(release('usr_1')).then([released]));
  it('is not released by anybody else', () => spec.given([reserved]).when(release('usr_2')).then([]));
  it('releasing a free address changes nothing', () => spec.given([reserved, released]).when(release('usr_1')).then([]));
  it('can be reserved again once released', () =>
    spec
      .given([reserved, released])
      .when(reserve('usr_2'))
      .then([{ type: 'EmailReserved', data: { email: 'ada@example.com', userId: 'usr_2', reservedAt: NOW } }]));
});
