/**
 * The event store: its port and command handling (core/), and its three
 * adapters, PostgreSQL (the default), EventStoreDB and memory (domain unit tests).
 */
export * from './core/index.js';
export { createMemoryEventStore } from './memory/index.js';
export { createPostgresEventStore, type PostgresEventStore } from './postgres/index.js';
export { createEsdbEventStore, type EsdbEventStoreOptions } from './esdb/index.js';
