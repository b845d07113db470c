import path from 'node:path';
import type { Config } from '../../config/index.js';
import type { Mailer } from './mailer.js';
import { createOutboxMailer } from './outboxMailer.js';
import { createSmtpMailer } from './smtpMailer.js';

export { MailerError, messageIdFor, senderAddress, type MailMessage, type Mailer } from './mailer.js';
export { createOutboxMailer, outboxFileName } from './outboxMailer.js';
export { createSmtpMailer } from './smtpMailer.js';
export { renderNotice, NOTICE_NAMES, type NoticeName, type NoticeData, type RenderedNotice } from './notices.js';

/** Where the outbox adapter writes: `$DATA_DIR/outbox`. */
export const outboxDir = (config: Pick<Config, 'DATA_DIR'>): string => path.resolve(config.DATA_DIR, 'outbox');

/** SMTP when SMTP_URL is set; otherwise `.eml` files in the outbox. */
export const createMailer = (config: Pick<Config, 'DATA_DIR' | 'SMTP_URL' | 'MAIL_FROM'>): Mailer =>
  config.SMTP_URL
    ? createSmtpMailer({ url: config.SMTP_URL, from: config.MAIL_FROM })
    : createOutboxMailer({ dir: outboxDir(config), from: config.MAIL_FROM });
