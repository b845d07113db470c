export type { Projection } from './projection.js';
export { ProjectionRunner, type ProjectionStatus, type ProjectionRunnerOptions } from './runner.js';
export { getCheckpoint, listCheckpoints, type Checkpoint } from './checkpoints.js';
export { allProjections } from '../../root/projections.js';
export { causedBy, runProcessManager, type ProcessManager, type ProcessManagerOptions } from './processManager.js';
