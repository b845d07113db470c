export type { Command, Event, Decider } from './decider.js';
export {
  AppError,
  ValidationError,
  UnsupportedMediaTypeError,
  AuthenticationError,
  ForbiddenError,
  NotFoundError,
  ConflictError,
  RateLimitedError,
  NotReadyError,
  InternalError,
  type ErrorKind,
} from './errors.js';
export { ROLES, SYSTEM_ACTORS, userOf, type Role, type Actor } from './roles.js';
export {
  isSafeText,
  safeText,
  displayText,
  emailText,
  findUnsafeText,
  MAX_INPUT_DEPTH,
  UNSAFE_TEXT_MESSAGE,
  type TextProblem,
} from './text.js';
export { money, addMoney, subtractMoney, sumMoney, prorate, allocate, MoneyError, type Money } from './money.js';
export {
  periodN,
  periodContaining,
  nextPeriod,
  daysIn,
  daysBetween,
  addDays,
  CalendarError,
  type BillingSchedule,
  type BillingInterval,
  type Period,
} from './billingCalendar.js';
export { parseInstant, compareInstants } from './instant.js';
export { applyOptional, sameRecord } from './fields.js';
