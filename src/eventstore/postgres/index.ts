export { createPostgresEventStore, type PostgresEventStore } from './postgresEventStore.js';
