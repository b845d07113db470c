import { randomUUID } from 'node:crypto';
import { InvalidArgumentError, type Command } from 'commander';
import { createRegistration, registrationSchema, scryptParams } from '../../application/auth/index.js';
import { createUserCommands } from '../../application/user/index.js';
import { accessChanges } from '../../application/auth/index.js';
import { loadConfig } from '../../config/index.js';
import { ROLES, SYSTEM_ACTORS } from '../../domain/shared/index.js';
import { print, type Open } from '../shared/index.js';


const cliProblem = (field: string, message: string) =>
  field === 'role' ? `--role must be one of ${ROLES.join(', ')}` : `--${field === 'displayName' ? 'display-name' : field}: ${message}`;

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

/** `billstream users create`: a user of any role from the operator side (the first MANAGER, say). */
export const registerUserCommands = (program: Command, withInfrastructure: Open): void => {
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
        const userCommands = createUserCommands({ db, store, clock, wall: clocks.wall, accessChanged: accessChanges(db) });
        // The server's cost, so that every stored hash takes as long to check as the server's decoy.
        const scrypt = scryptParams(loadConfig(process.env).SCRYPT_COST);
        const { userId } = await createRegistration({ db, store, clock, users: userCommands, scrypt })(
          { email, password, displayName, role },
          { actor: SYSTEM_ACTORS.cli, source: 'cli', correlationId: randomUUID() },
        );
        print(`created ${role} ${userId} <${email}>`);
      });
    });
};
