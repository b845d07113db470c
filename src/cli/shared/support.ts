import type pg from 'pg';
import type { Logger } from 'winston';
import { SYSTEM_ACTORS } from '../../domain/shared/index.js';
import { randomUUID } from 'node:crypto';
import type { Command as CliCommand } from 'commander';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { createUserCommands } from '../../application/user/index.js';
import { accessChanges } from '../../application/auth/index.js';
import { page } from '../../api/http/index.js';
import { createCommerce, type Commerce } from '../../application/index.js';
import { idOf, parseInput, pointInTimeInput } from '../../application/shared/index.js';
import { stateAt, type Aggregate, type Ask, type PointInTime } from '../../application/shared/index.js';
import type { Clocks } from '../../clock/index.js';
import type { Database } from '../../db/index.js';
import { AppError, NotFoundError, type Command, type Event } from '../../domain/shared/index.js';
import { foldStream, type EventStore, type HandleCommandResult } from '../../eventstore/index.js';

/** What every command gets: the database, the event store and the server's clocks, opened around it by root/cli.ts (and closed after). */
export type CliContext = Readonly<{ db: Kysely<Database>; pool: pg.Pool; store: EventStore; logger: Logger; clocks: Clocks }>;
export type Open = (work: (context: CliContext) => Promise<void>) => Promise<void>;

export type Session = Readonly<{ db: Kysely<Database>; store: EventStore; commerce: Commerce; ask: Ask }>;

export type Kind = 'plan' | 'customer' | 'contract' | 'subscription';

/** How the CLI reads, presents and prints one kind of resource; `present` is the API's presenter. */
export type Resource<S, C extends Command, E extends Event, Existing extends S, View> = Readonly<{
  kind: Kind;
  aggregate: Aggregate<S, C, E>;
  isExisting: (s: S) => s is Existing;
  present: (s: Existing, revision: bigint) => View;
  line: (view: View) => string;
}>;

export const print = (line: string): void => void process.stdout.write(`${line}\n`);

const notFound = (kind: Kind) => new NotFoundError(`${kind}.not_found`, `the ${kind} does not exist`);

/** Schema field names as the CLI spells them, so a refusal names the flag to fix. */
const FLAGS: Readonly<Record<string, string>> = {
  ownerUserId: '--owner',
  customerId: '--customer',
  contractId: '--contract',
  planId: '--plan',
  id: 'the id',
};
const flagOf = (path: string) => FLAGS[path] ?? `--${path.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** An AppError as one line: its reason, its message, and each field's problem under the flag's name (`names` first: "the invoice id"). */
const describe = (err: AppError, names: Readonly<Record<string, string>>): string => {
  const fields = (err.details?.fields ?? []) as ReadonlyArray<{ path: string; message: string }>;
  const problems = fields.map((f) => (f.path === '' ? f.message : `${names[f.path] ?? flagOf(f.path)}: ${f.message}`));
  return [`${err.reason}: ${err.message}`, ...problems].join('; ');
};

/**
 * Runs one command as the operator: `check` validates the arguments before
 * the database is opened, then `work` gets the CLI's context, an Ask whose
 * actor is `system:cli`, and what `check` returned. AppErrors leave as plain
 * errors carrying their reason, which root/cli.ts prints with exit code 1, as
 * it does for every other failure.
 */
export const runAsOperator = async <T>(
  open: Open,
  check: () => T,
  work: (context: CliContext, ask: Ask, checked: T) => Promise<void>,
  names: Readonly<Record<string, string>> = {},
): Promise<void> => {
  try {
    const checked = check();
    await open((context) => work(context, { actor: SYSTEM_ACTORS.cli, source: 'cli', correlationId: randomUUID() }, checked));
  } catch (err) {
    throw err instanceof AppError ? new Error(describe(err, names), { cause: err }) : err;
  }
};

/** runAsOperator, with the commerce commands: what the API's commerce routes send, from the CLI. */
export const run = async <T>(open: Open, check: () => T, work: (s: Session, checked: T) => Promise<void>): Promise<void> =>
  runAsOperator(open, check, async ({ db, store, clocks }, ask, checked) => {
    const users = createUserCommands({ db, store, clock: clocks.domain, wall: clocks.wall, accessChanged: accessChanges(db) });
    const commerce = createCommerce({
      store,
      clock: clocks.domain,
      userExists: async (userId) => (await users.currentUser(userId)).status !== 'unregistered',
    });
    await work({ db, store, commerce, ask }, checked);
  });

/** An id argument, checked as the API checks a path parameter. */
export const idArg = (kind: Kind, id: string): string => parseInput(z.object({ id: idOf(kind) }), { id }, `${kind}.invalid`).id;

/** Decimal text as a number; anything else is NaN, which the schema refuses with its own message. */
export const numberArg = (text: string | undefined): number | undefined =>
  text === undefined ? undefined : /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(text) ? Number(text) : Number.NaN;

/** A command's answer: the resource as the command left it, or "unchanged" when it appended nothing. */
export const printOutcome = <S, C extends Command, E extends Event, Existing extends S, View>(
  r: Resource<S, C, E, Existing, View>,
  verb: string,
  result: HandleCommandResult<S, E>,
  json: boolean | undefined,
) => {
  const { newState, nextExpectedRevision: revision } = result;
  if (!r.isExisting(newState) || revision === undefined) throw notFound(r.kind);
  const view = r.present(newState, revision);
  const text = result.newEvents.length === 0 ? `${r.kind} ${r.line(view)} unchanged` : `${verb} ${r.kind} ${r.line(view)}`;
  print(json ? JSON.stringify(view) : text);
};

export type PointInTimeOptions = Readonly<{ asOf?: string; revision?: string }>;

export const pointInTimeOf = (kind: Kind, options: PointInTimeOptions): PointInTime => {
  const q = parseInput(pointInTimeInput, { asOf: options.asOf, revision: options.revision }, `${kind}.invalid`);
  return { ...(q.asOf !== undefined && { asOf: new Date(q.asOf) }), ...(q.revision !== undefined && { revision: BigInt(q.revision) }) };
};

/** One resource folded from its stream: now, or as recorded up to an instant or a revision. */
export const printShown = async <S, C extends Command, E extends Event, Existing extends S, View>(
  s: Session,
  r: Resource<S, C, E, Existing, View>,
  id: string,
  at: PointInTime,
  json: boolean | undefined,
) => {
  const travelling = at.asOf !== undefined || at.revision !== undefined;
  const folded = travelling
    ? await stateAt(s.store, r.aggregate, id, at, () => notFound(r.kind))
    : await foldStream(s.store, r.aggregate.streamOf(id), r.aggregate.decider);
  if (!r.isExisting(folded.state) || folded.revision === undefined) throw notFound(r.kind);
  const view = r.present(folded.state, folded.revision);
  print(json ? JSON.stringify(view) : `${r.kind} ${r.line(view)}`);
};

export type ListOptions = Readonly<{ limit: string; after?: string; json?: boolean }>;

/** --limit and --after, checked; --after is the last id of the previous page. */
export const pagingOf = (kind: Kind, options: ListOptions) =>
  parseInput(
    z.object({ limit: z.number().int().min(1).max(1000), after: idOf(kind).optional() }),
    { limit: numberArg(options.limit), after: options.after },
    `${kind}.invalid`,
  );

/** A page of read-model rows in the API's list shape (`--json`), or one line per row. */
export const printPage = <Row extends { revision: bigint }, View>(
  rows: readonly Row[],
  limit: number,
  idOfRow: (row: Row) => string,
  present: (row: Row, revision: bigint) => View,
  line: (view: View) => string,
  json: boolean | undefined,
) => {
  const answer = page(rows, limit, idOfRow, (row) => present(row, row.revision));
  if (json) return print(JSON.stringify(answer));
  for (const view of answer.data) print(line(view));
  if (answer.page.nextCursor) process.stderr.write(`more: --after ${answer.page.nextCursor}\n`);
};

export type Json = Readonly<{ json?: boolean }>;
export type Shown = PointInTimeOptions & Json;

export const listOptions = (command: CliCommand) =>
  command
    .option('--limit <n>', 'rows per page, 1–1000', '100')
    .option('--after <id>', 'start after this id (the last one of the previous page)')
    .option('--json', 'print the page as JSON, in the API list shape');

export const showOptions = (command: CliCommand) =>
  command
    .option('--as-of <instant>', 'as recorded up to this ISO instant')
    .option('--revision <n>', 'as recorded up to this stream revision')
    .option('--json', 'print JSON in the API shape');

/** Infers a Resource's types from its parts. */
export const resource = <S, C extends Command, E extends Event, Existing extends S, View>(r: Resource<S, C, E, Existing, View>) => r;

/** An optional --reason, as the API's reasonInput takes it. */
export type Reason = Json & Readonly<{ reason?: string }>;
