import type { Command } from 'commander';
import { z } from 'zod';
import { apiKeyExists, apiKeyInput, apiKeys, createApiKeyCommands, lastUsedOf, presentApiKey, rollInput } from '../../application/apiKey/index.js';
import { createUserCommands } from '../../application/user/index.js';
import { accessChanges } from '../../application/auth/index.js';
import { idOf, parseInput } from '../../application/shared/index.js';
import { ConflictError, displayText, NotFoundError } from '../../domain/shared/index.js';
import { foldStream } from '../../eventstore/index.js';
import { streamsOfCategory } from '../../projections/stream/index.js';
import { listOptions, numberArg, print, printPage, runAsOperator, type CliContext, type Json, type ListOptions, type Open } from '../shared/index.js';

/** `billstream apikeys …`: API keys, as an ADMIN or a MANAGER keeps them over HTTP; the operator makes one for a named user. */
type KeyView = ReturnType<typeof presentApiKey>;

const keyLine = (k: KeyView) =>
  `${k.keyId} ${k.prefix}_… (${k.name}; ${k.scopes.join(' ')}; owner ${k.ownerUserId}${k.revokedAt ? `; revoked ${k.revokedAt}` : ''}${k.expiresAt ? `; expires ${k.expiresAt}` : ''}${k.lastUsedAt ? `; last used ${k.lastUsedAt}` : ''})`;

const NAMES = { id: 'the key id', ownerUserId: '--owner' };
const keyArg = (id: string) => parseInput(z.object({ id: idOf('apiKey') }), { id }, 'api_key.invalid').id;
const commandsOf = ({ db, store, clocks, logger }: CliContext) => createApiKeyCommands({ db, store, wall: clocks.wall, mode: clocks.simulated ? 'test' : 'live', logger });

/** The key as the API shows it, with the whole key when it was just made: printed this once. */
const printKey = async (context: CliContext, keyId: string, json: boolean | undefined, verb: string, key?: string) => {
  const { state, revision } = await foldStream(context.store, apiKeys.streamOf(keyId), apiKeys.decider);
  if (!apiKeyExists(state) || revision === undefined) throw new NotFoundError('api_key.not_found', 'the API key does not exist');
  const view = presentApiKey(state, revision, (await lastUsedOf(context.db, [keyId])).get(keyId));
  if (json) return print(JSON.stringify({ data: view, ...(key !== undefined && { key }) }));
  print(`${verb} ${keyLine(view)}`);
  if (key !== undefined) print(`key (shown once, keep it now): ${key}`);
};

type CreateOptions = Json & Readonly<{ owner: string; name: string; scopes: string; expiresAt?: string }>;

export const registerApiKeyCommands = (program: Command, open: Open): void => {
  const group = program.command('apikeys').description("API keys: a server's credential, acting within its scopes and its maker's role");

  group
    .command('create')
    .description('make a key for an ADMIN or a MANAGER; the whole key is printed this once')
    .requiredOption('--owner <userId>', 'the user the key acts for (its role bounds the key)')
    .requiredOption('--name <name>', 'what the key is for')
    .requiredOption('--scopes <list>', 'comma-separated resource:read|write, such as customers:write,invoices:read')
    .option('--expires-at <instant>', 'when the key stops working')
    .option('--json', 'print JSON in the API shape')
    .action((o: CreateOptions) =>
      runAsOperator(
        open,
        () => ({
          owner: parseInput(z.object({ ownerUserId: idOf('user') }), { ownerUserId: o.owner }, 'api_key.invalid').ownerUserId,
          input: parseInput(apiKeyInput, { name: o.name, scopes: o.scopes.split(',').map((s) => s.trim()), ...(o.expiresAt !== undefined && { expiresAt: o.expiresAt }) }, 'api_key.invalid'),
        }),
        async (context, ask, { owner, input }) => {
          const users = createUserCommands({ db: context.db, store: context.store, clock: context.clocks.domain, wall: context.clocks.wall, accessChanged: accessChanges(context.db) });
          const user = await users.currentUser(owner);
          if (user.status !== 'active' || (user.role !== 'ADMIN' && user.role !== 'MANAGER')) {
            throw new ConflictError('api_key.owner_not_allowed', 'a key acts for an active ADMIN or MANAGER');
          }
          const made = await commandsOf(context).create(input, ask, owner);
          await printKey(context, made.keyId, o.json, 'created', made.token);
        },
        NAMES,
      ),
    );

  listOptions(group.command('list').description('keys by id (oldest first), never their secrets')).action((o: ListOptions) =>
    runAsOperator(
      open,
      () => parseInput(z.object({ limit: z.number().int().min(1).max(1000), after: idOf('apiKey').optional() }), { limit: numberArg(o.limit), after: o.after }, 'api_key.invalid'),
      async ({ db, store }, _ask, { limit, after }) => {
        const names = await streamsOfCategory(db, 'api_key', limit, after === undefined ? undefined : apiKeys.streamOf(after));
        const folded = await Promise.all(names.map((name) => foldStream(store, name, apiKeys.decider)));
        const rows = folded.flatMap((f) => (apiKeyExists(f.state) && f.revision !== undefined ? [{ state: f.state, revision: f.revision }] : []));
        const used = await lastUsedOf(db, rows.map((r) => r.state.keyId));
        printPage(rows, limit, (r) => r.state.keyId, (r, revision) => presentApiKey(r.state, revision, used.get(r.state.keyId)), keyLine, o.json);
      },
    ),
  );

  group
    .command('roll')
    .argument('<keyId>')
    .description('make a new key with the same name, scopes and owner; the old one works until --expires-at (now by default)')
    .option('--expires-at <instant>', 'when the old key stops working')
    .option('--json', 'print JSON in the API shape')
    .action((id: string, o: Json & Readonly<{ expiresAt?: string }>) =>
      runAsOperator(
        open,
        () => ({ keyId: keyArg(id), input: parseInput(rollInput, { ...(o.expiresAt !== undefined && { expiresAt: o.expiresAt }) }, 'api_key.invalid') }),
        async (context, ask, { keyId, input }) => {
          const made = await commandsOf(context).roll(keyId, input, ask);
          await printKey(context, made.keyId, o.json, `rolled ${keyId} to`, made.token);
        },
        NAMES,
      ),
    );

  group
    .command('revoke')
    .argument('<keyId>')
    .description('stop a key at once')
    .option('--reason <text>', 'why, for the audit trail')
    .option('--json', 'print JSON in the API shape')
    .action((id: string, o: Json & Readonly<{ reason?: string }>) =>
      runAsOperator(
        open,
        () => ({ keyId: keyArg(id), reason: parseInput(z.object({ reason: displayText(500).optional() }), { reason: o.reason }, 'api_key.invalid').reason }),
        async (context, ask, { keyId, reason }) => {
          await commandsOf(context).revoke(keyId, reason, ask);
          await printKey(context, keyId, o.json, 'revoked');
        },
        NAMES,
      ),
    );
};
