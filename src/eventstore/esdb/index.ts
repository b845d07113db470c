export { createEsdbEventStore, type EsdbEventStoreOptions } from './esdbEventStore.js';
