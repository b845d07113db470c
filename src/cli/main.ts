import { Command } from 'commander';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { migrateToLatest } from '../db/migrate.js';
import type { Logger } from 'winston';
import { formatPosition, type EventStore } from '../eventstore/index.js';
import { allProjections, listCheckpoints, ProjectionRunner } from '../projections/index.js';
import { openEventStore, openInfrastructure, type Infrastructure } from '../system.js';

/**
 * `billstream`, the operator's command. It uses the same configuration as the
 * server: DATABASE_URL, or the embedded PostgreSQL in DATA_DIR (shared with a
 * running server, started and stopped around the command otherwise).
 */
type Context = Infrastructure & { store: EventStore; logger: Logger };

const withInfrastructure = async (work: (context: Context) => Promise<void>): Promise<void> => {
  const config = loadConfig(process.env);
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', format: 'pretty' });
  const infra = await openInfrastructure(config, logger);
  const store = openEventStore(config, infra, logger);
  try {
    await store.start?.();
    await work({ ...infra, store, logger });
  } finally {
    await store.close();
    await infra.close();
  }
};

const print = (line: string) => process.stdout.write(`${line}\n`);

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

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`billstream: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
