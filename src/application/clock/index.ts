export { advanceClock, type Advance, type AdvanceResult, type TestClock } from './advance.js';
