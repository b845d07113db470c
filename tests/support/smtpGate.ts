import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export type Delivered = Readonly<{ from: string; to: readonly string[]; messageId: string | undefined; raw: string }>;

/**
 * A real SMTP server on a free local port (no TLS, no auth) that keeps what it
 * accepts, with a gate: while it holds, each session's MAIL FROM gets no
 * answer until `release`, so a test knows a sender is inside a send (and
 * which: `held` lists the envelope senders waiting) for as long as it likes.
 * A held session whose client goes away is dropped: it delivered nothing.
 */
export const startSmtpGate = async () => {
  const delivered: Delivered[] = [];
  const held = new Map<string, Readonly<{ from: string; go: () => void }>>();
  let holding = false;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onMailFrom(address, session, callback) {
      if (!holding) return callback();
      held.set(session.id, { from: address.address, go: () => callback() });
    },
    onClose(session) {
      held.delete(session.id);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const headers = raw.slice(0, raw.search(/\r?\n\r?\n/)).replace(/\r?\n[ \t]+/g, ' ');
        delivered.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          messageId: /^Message-ID:\s*<([^>]+)>/im.exec(headers)?.[1],
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    delivered,
    /** Messages delivered with this Message-ID. */
    count: (messageId: string) => delivered.filter((d) => d.messageId === messageId).length,
    /** From now on, each MAIL FROM waits for `release`. */
    hold: () => void (holding = true),
    /** Answers every waiting MAIL FROM, and stops holding. */
    release: () => {
      holding = false;
      for (const { go } of held.values()) go();
      held.clear();
    },
    /** The envelope senders of the sessions waiting at the gate. */
    held: () => [...held.values()].map((h) => h.from),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

export type SmtpGate = Awaited<ReturnType<typeof startSmtpGate>>;
