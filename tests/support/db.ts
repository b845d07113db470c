import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { inject } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createDatabase, dropDatabase } from '../../src/db/databases.js';
import { createKysely, createPool, withDatabase } from '../../src/db/pool.js';
import type { Database } from '../../src/root/database.js';

export type TestDatabase = Readonly<{
  url: string;
  pool: pg.Pool;
  db: Kysely<Database>;
  close: () => Promise<void>;
}>;

/** A fresh, migrated database on the run's PostgreSQL, for one test file. */
export const createTestDatabase = async (
  options: { poolSize?: number; migrate?: boolean } = {},
): Promise<TestDatabase> => {
  const serverUrl = inject('postgresUrl');
  const name = `test_${randomBytes(6).toString('hex')}`;
  await createDatabase(serverUrl, name);
  const url = withDatabase(serverUrl, name);
  const pool = createPool({ connectionString: url, max: options.poolSize ?? 10 });
  const db = createKysely(pool);
  if (options.migrate !== false) await migrateToLatest(db);
  return {
    url,
    pool,
    db,
    close: async () => {
      await db.destroy();
      await dropDatabase(serverUrl, name);
    },
  };
};
