export { advanceClock, createTestClock, LISTED, targetOf, type Advance, type AdvanceOptions, type AdvanceProgress, type AdvanceResult, type TestClock } from './advance.js';
