import { InternalError } from '../../domain/shared/index.js';
import { createHash } from 'node:crypto';

/**
 * One email. `messageId` is chosen by the caller, derived from what the email
 * is for (see messageIdFor), so that a retried send carries the same
 * Message-ID: the outbox keeps one file per id, and a mail server or client
 * can recognise the duplicate.
 */
export type MailMessage = Readonly<{
  to: string;
  subject: string;
  text: string;
  html: string;
  /** `local@domain`, without angle brackets. */
  messageId: string;
  headers?: Readonly<Record<string, string>>;
  /** The Date header; unset, the wall clock. A notice passes its domain time, so simulated time shows in the outbox. */
  date?: Date;
}>;

export type Mailer = Readonly<{
  send: (message: MailMessage) => Promise<Readonly<{ messageId: string }>>;
}>;

/**
 * A send that did not happen. `permanent`: the same message will fail again
 * (a recipient refused, a malformed message), so a job should stop retrying;
 * otherwise (the server unreachable, a 4xx) a retry may succeed.
 */
export class MailerError extends InternalError {
  declare readonly reason: 'mailer.invalid_message' | 'mailer.rejected' | 'mailer.unavailable';
  constructor(
    reason: 'mailer.invalid_message' | 'mailer.rejected' | 'mailer.unavailable',
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(reason, message, { permanent }, options);
  }
}

/**
 * Letters, digits and `._+-`, not starting with a dot, then `@` and a host
 * name: safe as a file name as it is, so the outbox needs no escaping that
 * could make two ids one file.
 */
const MESSAGE_ID = /^[A-Za-z0-9_+-][A-Za-z0-9._+-]*@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/;
const MAX_MESSAGE_ID = 200;

/** Refuses what no adapter could send, the same way in both. */
export const checkMessage = (message: MailMessage): void => {
  if (message.messageId.length > MAX_MESSAGE_ID || !MESSAGE_ID.test(message.messageId)) {
    throw new MailerError('mailer.invalid_message', `not a message id of the form local@domain: ${JSON.stringify(message.messageId)}`, true);
  }
  if (!/^[^\s<>@]+@[^\s<>@]+$/.test(message.to)) {
    throw new MailerError('mailer.invalid_message', `not one recipient address: ${JSON.stringify(message.to)}`, true);
  }
};

/** The address inside MAIL_FROM (`billing@x` or `Name <billing@x>`). */
export const senderAddress = (mailFrom: string): string => /^[^<>]*<([^<>]+)>$/.exec(mailFrom)?.[1] ?? mailFrom;

/**
 * The Message-ID of the notice with this key (for example
 * `payment_failed_7day|inv_…`): the same key always gives the same id, on
 * the sender's domain.
 */
export const messageIdFor = (key: string, mailFrom: string): string => {
  const domain = senderAddress(mailFrom).split('@')[1] ?? '';
  const host = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(domain) ? domain : 'billstream.local';
  return `notice.${createHash('sha256').update(key).digest('hex').slice(0, 32)}@${host}`;
};

/** The message as nodemailer takes it, the same for every adapter; the sender is the adapter's. */
export const nodemailerFields = (message: MailMessage) => ({
  to: message.to,
  subject: message.subject,
  text: message.text,
  html: message.html,
  messageId: message.messageId,
  headers: { ...message.headers },
  ...(message.date ? { date: message.date } : {}),
});
