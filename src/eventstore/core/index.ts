export type * from './port.js';
export { DEFAULT_READ_ALL_COUNT } from './port.js';
export { matchesFilter } from './filter.js';
export { shareLogReader } from './sharedLog.js';
export { comparePositions, hasReached, formatPosition, parsePosition, MAX_INT8 } from './position.js';
export {
  WrongExpectedRevisionError,
  ExpectedRevisionMismatchError,
  StreamNotFoundError,
  DuplicateEventIdError,
} from './errors.js';
export {
  handleCommand,
  foldStream,
  fold,
  readOrEmpty,
  appendDecided,
  eventsToAppend,
  type CommandContext,
  type Origin,
  type HandleCommandResult,
  type Folded,
} from './handleCommand.js';
export { stateCache } from './stateCache.js';
export { actualMatches } from './errors.js';
export { uuidFromName } from './eventIds.js';
export { retriedAppendResult } from './idempotency.js';
