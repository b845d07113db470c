import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Logger } from 'winston';
import type { Database } from './database.js';
import { preparingPool } from './preparedStatements.js';

export type PoolOptions = Readonly<{
  connectionString: string;
  max: number;
  applicationName?: string;
  logger?: Logger;
}>;

export const createPool = (options: PoolOptions): pg.Pool => {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max,
    application_name: options.applicationName ?? 'billstream',
    // Fail a request for a connection rather than hang forever behind a stuck pool.
    connectionTimeoutMillis: 10_000,
  });
  // An idle client losing its connection must not crash the process; pg replaces it.
  pool.on('error', (err) => options.logger?.warn('idle PostgreSQL client error', { err: err.message }));
  return pool;
};

/** Hot statements are prepared once per connection (see preparingPool). */
export const createKysely = (pool: pg.Pool): Kysely<Database> =>
  new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) });

/** The same server and credentials, another database. */
export const withDatabase = (connectionString: string, database: string): string => {
  const url = new URL(connectionString);
  url.pathname = `/${database}`;
  return url.toString();
};
