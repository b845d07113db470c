export { createKysely, createPool, withDatabase } from './pool.js';
export { migrateToLatest, migrationsFolder, MigrationFailedError } from './migrate.js';
export { EmbeddedPostgres } from './embeddedPostgres.js';
export { createDatabase, dropDatabase, relaxCommits } from './databases.js';

export type { Database, Db, Instant, Int8, Metadata, NullableInstant } from './database.js';
