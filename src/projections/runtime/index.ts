export type { Projection } from './projection.js';
export { ProjectionRunner, type ProjectionStatus, type ProjectionRunnerOptions } from './runner.js';
export { getCheckpoint, listCheckpoints, type Checkpoint } from './checkpoints.js';
export { causedBy, runProcessManager, type ProcessManager, type ProcessManagerOptions } from './processManager.js';
export type { CheckpointTables } from './checkpointsTable.js';
export { domainEvent, inChunks, jsonOrNull } from './batching.js';
export { rowView, type RowView } from './view.js';
