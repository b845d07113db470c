export { wallClock, type Clock, type Clocks } from './clock.js';
export { loadSimulatedClock, openClocks, type SimulatedClock, type SimulatedClockTable, type ClockTables } from './simulated.js';
