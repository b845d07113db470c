export { streamsProjection, categoryOf, STREAMS_PROJECTION } from './projection.js';
export { getStreamSummary, countStreamsByCategory, streamsOfCategory, type StreamSummary } from './queries.js';
export type { StreamsTable } from './table.js';
export type { StreamTables } from './table.js';
