export { advanceClock, type Advance, type AdvanceResult } from './advance.js';
