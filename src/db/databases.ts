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

/** Drops a database and ends the sessions still on it. */
export const dropDatabase = (serverUrl: string, name: string): Promise<void> =>
  onServer(serverUrl, `drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
