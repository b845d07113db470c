import nodemailer from 'nodemailer';
import { checkMessage, MailerError, nodemailerFields, type Mailer } from './mailer.js';

type SmtpFailure = Error & { code?: string; responseCode?: number; permanent?: boolean };

/**
 * Sends through the SMTP server of `url` (`smtp://user:pass@host:587`,
 * `smtps://…:465`; nodemailer reads its options from the query too, such as
 * `?requireTLS=true`). One connection per message: notices are few, and a
 * job's send then holds nothing open when it ends.
 */
export const createSmtpMailer = (options: Readonly<{ url: string; from: string }>): Mailer => {
  const transport = nodemailer.createTransport(options.url, { from: options.from });
  return {
    send: async (message) => {
      checkMessage(message);
      try {
        await transport.sendMail(nodemailerFields(message));
      } catch (err) {
        const failure = err as SmtpFailure;
        // nodemailer marks a 5xx answer permanent; a refused connection or a 4xx is worth a retry.
        const permanent = failure.permanent ?? (failure.responseCode !== undefined && failure.responseCode >= 500);
        throw new MailerError(
          permanent ? 'mailer.rejected' : 'mailer.unavailable',
          `SMTP send of ${message.messageId} failed: ${failure.message}`,
          permanent,
          { cause: err },
        );
      }
      return { messageId: message.messageId };
    },
  };
};
