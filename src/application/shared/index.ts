export * from './schemas.js';
export { stateAt, commandPath, type Ask, type Aggregate, type PointInTime } from './streams.js';
export { contextOf, originOnly, type Origin } from './origin.js';
export { newId, type IdPrefix } from './ids.js';
export { optional, type Stamped } from './present.js';
