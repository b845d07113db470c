import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createMailer, messageIdFor, outboxDir, renderNotice, type MailMessage } from '../../src/application/notice/index.js';

const AT = new Date('2030-03-01T09:00:00.000Z');
const FROM = 'billing@billstream.local';

const notice = (over: Partial<MailMessage> = {}): MailMessage => ({
  to: 'ada@example.com',
  subject: 'Receipt for invoice 2030-000042',
  text: 'We received 30.00 USD.',
  html: '<p>We received <strong>30.00 USD</strong>.</p>',
  messageId: messageIdFor('payment_succeeded|inv_42', FROM),
  headers: { 'X-Billstream-Notice': 'payment_succeeded' },
  date: AT,
  ...over,
});

/** The header block of a raw message, folded lines joined, and its body. */
const split = (raw: string) => {
  const end = raw.search(/\r?\n\r?\n/);
  return { headers: raw.slice(0, end).replace(/\r?\n[ \t]+/g, ' '), body: raw.slice(end) };
};

/** Quoted-printable as nodemailer writes it (soft breaks, =XX bytes), back to text. */
const decodeQp = (text: string): string =>
  Buffer.from(text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'billstream-mailer-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('the outbox mailer (default)', () => {
  it('writes one .eml per message to $DATA_DIR/outbox, with its headers and a text and an HTML part', async () => {
    const mailer = createMailer(loadConfig({ DATA_DIR: dataDir }));
    const message = notice();
    expect(await mailer.send(message)).toEqual({ messageId: message.messageId });

    const outbox = outboxDir({ DATA_DIR: dataDir });
    expect(outbox).toBe(path.join(dataDir, 'outbox'));
    expect(await readdir(outbox)).toEqual([`${message.messageId}.eml`]);
    const { headers, body } = split(await readFile(path.join(outbox, `${message.messageId}.eml`), 'utf8'));
    expect(headers).toMatch(/^From: billing@billstream\.local$/m);
    expect(headers).toMatch(/^To: ada@example\.com$/m);
    expect(headers).toMatch(/^Subject: Receipt for invoice 2030-000042$/m);
    expect(headers).toContain(`Message-ID: <${message.messageId}>`);
    expect(headers).toMatch(/^Date: Fri, 01 Mar 2030 09:00:00 \+0000$/m);
    expect(headers).toMatch(/^X-Billstream-Notice: payment_succeeded$/m);
    expect(headers).toMatch(/^Content-Type: multipart\/alternative; boundary=/m);
    expect(body).toMatch(/Content-Type: text\/plain; charset=utf-8\n[\s\S]*We received 30\.00 USD\./);
    expect(body).toMatch(/Content-Type: text\/html; charset=utf-8\n[\s\S]*<p>We received <strong>30\.00 USD<\/strong>\.<\/p>/);
  });

  it('keeps the first message of an id: a retried send leaves one file, unchanged', async () => {
    const mailer = createMailer(loadConfig({ DATA_DIR: dataDir }));
    await mailer.send(notice());
    const file = path.join(dataDir, 'outbox', `${notice().messageId}.eml`);
    const first = await readFile(file, 'utf8');
    expect(await mailer.send(notice({ subject: 'A second try' }))).toEqual({ messageId: notice().messageId });
    await Promise.all([mailer.send(notice()), mailer.send(notice())]);
    expect(await readdir(path.join(dataDir, 'outbox'))).toEqual([`${notice().messageId}.eml`]);
    expect(await readFile(file, 'utf8')).toBe(first);
  });

  it('writes a rendered notice whose HTML part shows a hostile customer name escaped', async () => {
    const rendered = renderNotice('payment_succeeded', {
      customerName: '<script>alert(1)</script> Åsa',
      invoiceNumber: '2030-000042',
      amountPaid: { amount: 3000, currency: 'usd' },
      paidAt: AT.toISOString(),
    });
    await createMailer(loadConfig({ DATA_DIR: dataDir })).send(notice(rendered));
    const raw = await readFile(path.join(dataDir, 'outbox', `${notice().messageId}.eml`), 'utf8');
    const html = decodeQp(raw.slice(raw.indexOf('Content-Type: text/html')));
    expect(html).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt; Åsa,');
    expect(html).not.toContain('<script>');
    expect(decodeQp(raw)).toContain('we received 30.00 USD on 1 March 2030 for invoice 2030-000042');
  });

  it('refuses a message id that is not local@domain, and a second recipient, writing nothing', async () => {
    const mailer = createMailer(loadConfig({ DATA_DIR: dataDir }));
    await expect(mailer.send(notice({ messageId: '../../escape@x' }))).rejects.toMatchObject({ name: 'MailerError', reason: 'mailer.invalid_message', permanent: true });
    await expect(mailer.send(notice({ messageId: '<a@x>' }))).rejects.toMatchObject({ reason: 'mailer.invalid_message' });
    await expect(mailer.send(notice({ to: 'a@example.com, b@example.com' }))).rejects.toMatchObject({ reason: 'mailer.invalid_message' });
    expect(await readdir(dataDir)).toEqual([]);
  });
});

type Received = Readonly<{ from: string; to: readonly string[]; raw: string }>;

/** A real SMTP server on a free local port, no TLS. Refuses recipients starting with `nobody` (550) and `later` (451). */
const startSmtpServer = async () => {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = address.address.startsWith('nobody') ? 550 : address.address.startsWith('later') ? 451 : undefined;
      if (code === undefined) return callback();
      callback(Object.assign(new Error(code === 550 ? 'No such user here' : 'Try again later'), { responseCode: code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
        received.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
};

describe('the SMTP mailer (SMTP_URL set)', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  beforeEach(async () => {
    smtp = await startSmtpServer();
  });
  afterEach(async () => {
    await smtp.close();
  });

  it('delivers to the server: the envelope from MAIL_FROM to the recipient, the subject and the Message-ID', async () => {
    const mailer = createMailer(loadConfig({ DATA_DIR: dataDir, SMTP_URL: smtp.url, MAIL_FROM: 'Billstream <billing@example.org>' }));
    const message = notice({ messageId: messageIdFor('payment_succeeded|inv_42', 'billing@example.org') });
    expect(await mailer.send(message)).toEqual({ messageId: message.messageId });

    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail).toMatchObject({ from: 'billing@example.org', to: ['ada@example.com'] });
    const { headers } = split(mail!.raw);
    expect(headers).toMatch(/^Subject: Receipt for invoice 2030-000042$/m);
    expect(headers).toMatch(/^From: Billstream <billing@example\.org>$/m);
    expect(headers).toContain(`Message-ID: <${message.messageId}>`);
    expect(message.messageId).toMatch(/^notice\.[0-9a-f]{32}@example\.org$/);
    // SMTP chosen: nothing is written to the outbox.
    expect(await readdir(dataDir)).toEqual([]);
  });

  it('rejects, without crashing, when the server refuses the recipient: 5xx permanent, 4xx worth a retry', async () => {
    const mailer = createMailer(loadConfig({ DATA_DIR: dataDir, SMTP_URL: smtp.url }));
    await expect(mailer.send(notice({ to: 'nobody@example.com' }))).rejects.toMatchObject({
      name: 'MailerError',
      reason: 'mailer.rejected',
      permanent: true,
      message: expect.stringContaining('550 No such user here'),
    });
    await expect(mailer.send(notice({ to: 'later@example.com' }))).rejects.toMatchObject({ reason: 'mailer.unavailable', permanent: false });
    expect(smtp.received).toEqual([]);

    // The mailer and the server both go on.
    await mailer.send(notice());
    expect(smtp.received.map((m) => m.to)).toEqual([['ada@example.com']]);
  });
});
