import { SYSTEM_ACTORS } from '../domain/shared/index.js';
import { openClocks, type Clocks } from '../clock/index.js';
import { randomUUID } from 'node:crypto';
import { Command, InvalidArgumentError } from 'commander';
import { createRegistration, registrationSchema } from '../application/auth/index.js';
import { createUserCommands } from '../application/user/index.js';
import { scryptParams } from '../application/auth/index.js';
import { ROLES } from '../domain/shared/index.js';
import { loadConfig } from '../config/index.js';
import { createLogger } from '../logger/index.js';
import { migrateToLatest } from '../db/index.js';
import type { Logger } from 'winston';
import { formatPosition, type EventStore } from '../eventstore/index.js';
import { listCheckpoints, ProjectionRunner } from '../projections/runtime/index.js';
import { allProjections } from './projections.js';
import { openEventStore, openInfrastructure, type Infrastructure } from './infrastructure.js';
import { registerCommerceCommands } from '../cli/shared/index.js';
import { registerDunningCommands } from '../cli/collection/index.js';
import { registerJobCommands } from '../cli/job/index.js';
import { registerSimulateCommand } from './simulate/index.js';

/**
 * `billstream`, the operator's command. It uses the same configuration as the
 * server: DATABASE_URL, or the embedded PostgreSQL in DATA_DIR (shared with a
 * running server, started and stopped around the command otherwise).
 */
type Context = Infrastructure & { store: EventStore; logger: Logger; clocks: Clocks };

const withInfrastructure = async (work: (context: Context) => Promise<void>): Promise<void> => {
  const config = loadConfig(process.env);
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', format: 'pretty' });
  const infra = await openInfrastructure(config, logger);
  const store = openEventStore(config, infra, logger);
  try {
    await store.start?.();
    // The server's clocks: a command happens at the domain's instant, the test clock's under CLOCK=simulated.
    const clocks = await openClocks(infra.db, config);
    await work({ ...infra, store, logger, clocks });
  } finally {
    await store.close();
    await infra.close();
  }
};

const print = (line: string) => process.stdout.write(`${line}\n`);

const cliProblem = (field: string, message: string) =>
  field === 'role' ? `--role must be one of ${ROLES.join(', ')}` : `--${field === 'displayName' ? 'display-name' : field}: ${message}`;

const program = new Command('billstream').description('Operate billstream').showHelpAfterError();

program
  .command('migrate')
  .description('apply pending database migrations (start-up does this too)')
  .action(() =>
    withInfrastructure(async ({ db }) => {
      const applied = await migrateToLatest(db);
      print(applied.length === 0 ? 'database is up to date' : `applied ${applied.length} migration(s)`);
    }),
  );

const projections = program.command('projections').description('inspect and rebuild read models');

projections
  .command('status')
  .description('checkpoint, events applied and distance from the head, per projection')
  .action(() =>
    withInfrastructure(async ({ db, store }) => {
      const head = await store.headPosition();
      const checkpoints = new Map((await listCheckpoints(db)).map((c) => [c.name, c]));
      print(`head position: ${head ? formatPosition(head) : '(no events)'}`);
      for (const { name } of allProjections()) {
        const c = checkpoints.get(name);
        const position = c?.position ? formatPosition(c.position) : '(start)';
        print(`${name}\tposition ${position}\tevents applied ${c?.eventsApplied ?? 0n}\tupdated ${c?.updatedAt.toISOString() ?? '-'}`);
      }
    }),
  );

projections
  .command('rebuild')
  .argument('<name>', 'projection to rebuild')
  .description('empty a read model and replay it from position 0, until it reaches the current head')
  .action((name: string) =>
    withInfrastructure(async ({ db, store, logger }) => {
      const projection = allProjections().find((p) => p.name === name);
      if (!projection) {
        throw new Error(`no projection named ${name}; known: ${allProjections().map((p) => p.name).join(', ')}`);
      }
      const runner = new ProjectionRunner({ db, store, logger, projections: [projection] });
      const head = await store.headPosition();
      await runner.rebuild(name);
      runner.start();
      if (head) await runner.waitFor([name], head, 24 * 3_600_000);
      await runner.stop();
      const [status] = await runner.status();
      print(`rebuilt ${name} up to ${status?.position ?? '(no events)'}`);
    }),
  );

const readStdin = async (): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
};

/** Asks on the terminal without echoing what is typed. */
const promptPassword = async (question: string): Promise<string> => {
  if (!process.stdin.isTTY) throw new Error('no terminal to ask for a password on; use --password-stdin');
  process.stdout.write(question);
  process.stdin.setRawMode(true);
  process.stdin.resume();
  let typed = '';
  try {
    for await (const chunk of process.stdin) {
      for (const ch of (chunk as Buffer).toString('utf8')) {
        if (ch === '\r' || ch === '\n') return typed;
        if (ch === '\u0003') throw new Error('cancelled');
        typed = ch === '\u007f' ? typed.slice(0, -1) : typed + ch;
      }
    }
    return typed;
  } finally {
    process.stdin.setRawMode(false);
    process.stdin.pause();
    process.stdout.write('\n');
  }
};

const users = program.command('users').description('manage users from the operator side');

users
  .command('create')
  .description('create a user of any role (the first MANAGER, say); the password comes from a prompt or stdin')
  .requiredOption('--email <email>', 'the address the user logs in with')
  .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
  .option('--display-name <name>', 'shown name (default: the part of the email before @)')
  .option('--password-stdin', 'read the password from standard input')
  .action((options: { email: string; role: string; displayName?: string; passwordStdin?: boolean }) => {
    // Everything is checked before the password prompt and before the first write, with the API's own schema.
    const checked = registrationSchema.omit({ password: true }).safeParse({
      email: options.email,
      role: options.role.toUpperCase(),
      displayName: options.displayName ?? options.email.trim().split('@')[0],
    });
    if (!checked.success) {
      throw new InvalidArgumentError(checked.error.issues.map((i) => cliProblem(String(i.path[0]), i.message)).join('; '));
    }
    const { email, role, displayName } = checked.data;
    return withInfrastructure(async ({ db, store, clocks }) => {
      const password = options.passwordStdin ? await readStdin() : await promptPassword('password: ');
      if (password.length < 10) throw new InvalidArgumentError('the password needs at least 10 characters');
      const clock = clocks.domain;
      const userCommands = createUserCommands({ db, store, clock, wall: clocks.wall });
      // The server's cost, so that every stored hash takes as long to check as the server's decoy.
      const scrypt = scryptParams(loadConfig(process.env).SCRYPT_COST);
      const { userId } = await createRegistration({ db, store, clock, users: userCommands, scrypt })(
        { email, password, displayName, role },
        { actor: SYSTEM_ACTORS.cli, source: 'cli', correlationId: randomUUID() },
      );
      print(`created ${role} ${userId} <${email}>`);
    });
  });

registerCommerceCommands(program, withInfrastructure);
registerSimulateCommand(program);
registerJobCommands(program, withInfrastructure);
registerDunningCommands(program, withInfrastructure);

program
  .command('stream')
  .description('read the event log')
  .command('show')
  .argument('<streamName>', 'for example user-usr_0193…')
  .description('print every event of a stream with its metadata, oldest first')
  .action((streamName: string) =>
    withInfrastructure(async ({ store }) => {
      for (const e of await store.readStream(streamName, { maxCount: 1_000_000 })) {
        print(
          JSON.stringify({
            revision: e.revision.toString(),
            position: formatPosition(e.position),
            type: e.type,
            recordedAt: e.recordedAt.toISOString(),
            data: e.data,
            metadata: e.metadata,
          }),
        );
      }
    }),
  );

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`billstream: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
