import pg from 'pg';

/** One statement on its own connection to a server (CREATE and DROP DATABASE run outside any transaction). */
const onServer = async (serverUrl: string, statement: string): Promise<void> => {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
};

/** A new, empty database on the server `serverUrl` reaches (simulations, tests, benchmarks). */
export const createDatabase = (serverUrl: string, name: string): Promise<void> =>
  onServer(serverUrl, `create database ${pg.escapeIdentifier(name)}`);

/**
 * A database whose last commits may be lost in a crash, never its consistency
 * (fsync stays on): for a throwaway one, a simulation's, where a commit need
 * not wait for the disk. Sessions opened afterwards get it.
 */
export const relaxCommits = (serverUrl: string, name: string): Promise<void> =>
  onServer(serverUrl, `alter database ${pg.escapeIdentifier(name)} set synchronous_commit = off`);

/** Drops a database and ends the sessions still on it. */
export const dropDatabase = (serverUrl: string, name: string): Promise<void> =>
  onServer(serverUrl, `drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
