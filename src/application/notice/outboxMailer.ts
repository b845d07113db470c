import { randomUUID } from 'node:crypto';
import { link, mkdir, open, unlink } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { checkMessage, MailerError, nodemailerFields, type Mailer } from './mailer.js';

/** The file a message goes to: its id is already a safe file name (checkMessage). */
export const outboxFileName = (messageId: string): string => `${messageId}.eml`;

/**
 * Writes each message as an RFC 5322 `.eml` file, composed by nodemailer, to
 * `dir`: any mail client opens it. The file appears whole or not at all (a
 * temporary file, then a hard link to its name), and the first message with
 * an id is the one kept: a retried send of a notice already written finds
 * its file there and leaves it, as a mail server cannot take back a sent one.
 */
export const createOutboxMailer = (options: Readonly<{ dir: string; from: string }>): Mailer => {
  // buffer: the whole message as one Buffer; unix newlines, as files on this system are.
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  return {
    send: async (message) => {
      checkMessage(message);
      const { message: composed } = await composer.sendMail({ from: options.from, ...nodemailerFields(message) });
      // With buffer: true it is always a Buffer; the type does not know the option.
      const eml = composed as Buffer;
      const target = path.join(options.dir, outboxFileName(message.messageId));
      // A dot name: readers listing *.eml never see a half-written file.
      const temp = path.join(options.dir, `.${randomUUID()}.tmp`);
      try {
        await mkdir(options.dir, { recursive: true });
        const file = await open(temp, 'wx');
        try {
          await file.writeFile(eml);
          await file.sync(); // on disk before it has a name: a crash never leaves an empty notice
        } finally {
          await file.close();
        }
        await link(temp, target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new MailerError('mailer.unavailable', `could not write ${target}: ${(err as Error).message}`, false, { cause: err });
        }
      } finally {
        await unlink(temp).catch(() => undefined);
      }
      return { messageId: message.messageId };
    },
  };
};
