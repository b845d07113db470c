import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Logger } from 'winston';
import type { Config } from '../config/index.js';
import type { Database } from './database.js';
import { EmbeddedPostgres } from '../db/index.js';
import { migrateToLatest } from '../db/index.js';
import { createKysely, createPool } from '../db/index.js';
import { createEsdbEventStore, createPostgresEventStore, type EventStore } from '../eventstore/index.js';

/** The database (embedded unless DATABASE_URL), migrated, under every role. */
export type Infrastructure = Readonly<{
  connectionString: string;
  pool: pg.Pool;
  db: Kysely<Database>;
  embedded: EmbeddedPostgres | undefined;
  close: () => Promise<void>;
}>;

/** Connects to DATABASE_URL, or starts the embedded PostgreSQL; then migrates. */
export const openInfrastructure = async (config: Config, logger: Logger): Promise<Infrastructure> => {
  let embedded: EmbeddedPostgres | undefined;
  let connectionString = config.DATABASE_URL;
  if (!connectionString) {
    embedded = new EmbeddedPostgres({
      dataDir: config.embeddedPostgresDir,
      port: config.EMBEDDED_POSTGRES_PORT,
      logger,
    });
    connectionString = await embedded.start();
  }
  const pool = createPool({ connectionString, max: config.DATABASE_POOL_SIZE, logger });
  const db = createKysely(pool);
  const close = async () => {
    await db.destroy();
    await embedded?.stop();
  };
  try {
    const results = await migrateToLatest(db);
    for (const r of results) logger.info('migration applied', { migration: r.migrationName });
  } catch (err) {
    await close();
    throw err;
  }
  return { connectionString, pool, db, embedded, close };
};

/** EVENTSTORE_URL selects EventStoreDB; otherwise events live in the same PostgreSQL as the read models. */
export const openEventStore = (
  config: Config,
  infra: Infrastructure,
  logger: Logger,
): EventStore & { start?: () => Promise<void> } =>
  config.EVENTSTORE_URL
    ? createEsdbEventStore({ connectionString: config.EVENTSTORE_URL, logger })
    : createPostgresEventStore({ pool: infra.pool, connectionString: infra.connectionString, logger });
