/**
 * One server under load for bench/http.ts, in a child process of its own so the
 * load generator does not share its event loop (and `--cpu-prof` profiles the
 * server alone). Usage, as a forked child with IPC:
 *
 *   httpServer.ts billstream <databaseUrl> <users>   the whole system, <users> USERs and a MANAGER
 *   httpServer.ts ceiling <databaseUrl> <users>      the bare Koa app (lib/ceiling.ts)
 *
 * Sends one `ServerReady` message, then stops and exits on the message 'stop'.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config/index.js';
import type { Role } from '../../src/domain/shared/index.js';
import { createLogger } from '../../src/logger/index.js';
import { startSystem } from '../../src/root/system.js';
import { startCeiling } from './ceiling.js';

export type ServerReady = Readonly<{
  url: string;
  userIds: string[];
  /** Each user's address, for logins; empty for the ceiling. */
  emails: string[];
  manager?: Readonly<{ email: string; password: string }>;
}>;

export const BENCH_PASSWORD = 'bench-password-0123';

const [kind, databaseUrl, usersArg] = process.argv.slice(2);
const users = Number(usersArg);
const env = process.env;

const startBillstream = async () => {
  const config = loadConfig({
    ...env,
    DATABASE_URL: databaseUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
    LOG_FORMAT: 'json',
    JWT_SECRET: env.JWT_SECRET ?? randomBytes(32).toString('hex'),
    AUTH_RATE_LIMIT_PER_MINUTE: env.AUTH_RATE_LIMIT_PER_MINUTE ?? '1000000',
    API_RATE_LIMIT_PER_MINUTE: env.API_RATE_LIMIT_PER_MINUTE ?? '1000000',
  });
  const system = await startSystem(config, createLogger({ level: config.LOG_LEVEL, format: 'json' }));
  const origin = { actor: { id: 'system:bench' }, source: 'cli', correlationId: 'bench-bootstrap' };
  const register = async (email: string, role: Role) =>
    (await system.accounts.register({ email, password: BENCH_PASSWORD, displayName: email.split('@')[0]!, role }, origin)).userId;
  const managerEmail = 'bench-manager@example.com';
  await register(managerEmail, 'MANAGER');
  const emails = Array.from({ length: users }, (_, i) => `bench-user-${i}@example.com`);
  // Two at a time: password hashing is bounded per process, and a full queue refuses.
  const userIds: string[] = [];
  for (let i = 0; i < emails.length; i += 2) {
    userIds.push(...(await Promise.all(emails.slice(i, i + 2).map((e) => register(e, 'USER')))));
  }
  const ready: ServerReady = { url: system.url, userIds, emails, manager: { email: managerEmail, password: BENCH_PASSWORD } };
  return { ready, stop: system.stop };
};

const startCeilingServer = async () => {
  const poolSize = Number(env.DATABASE_POOL_SIZE ?? 20);
  const ceiling = await startCeiling(databaseUrl!, poolSize, users);
  const ready: ServerReady = { url: ceiling.url, userIds: ceiling.userIds, emails: [] };
  return { ready, stop: ceiling.close };
};

const server = kind === 'billstream' ? await startBillstream() : await startCeilingServer();
process.on('message', (message) => {
  if (message !== 'stop') return;
  void server
    .stop()
    .catch((err: unknown) => console.error('stopping the server failed:', err))
    // Exiting (not being killed) lets --cpu-prof write its profile.
    .finally(() => process.exit(0));
});
process.send!(server.ready);
