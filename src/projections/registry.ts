import type { Projection } from './projection.js';
import { streamsProjection } from './streams/index.js';

/** Every read model the process runs. Read-model folders add themselves here. */
export const allProjections = (): readonly Projection[] => [streamsProjection];
