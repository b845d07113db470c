export type { Clock } from './clock.js';
export { loadSimulatedClock, type SimulatedClock, type SimulatedClockTable } from './simulated.js';
export type { ClockTables } from './simulated.js';
