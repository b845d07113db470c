/**
 * When reminders go out. The scheduler's reminders trigger sends them; the
 * test clock stops at each of these instants.
 */

/** The grace reminders, by how long before grace ends each goes out. */
export const GRACE_REMINDERS = [
  { name: 'payment_failed_7day', days: 7 },
  { name: 'payment_failed_1day', days: 1 },
] as const;
/** trial_will_end goes out this many days before the trial ends. */
export const TRIAL_REMINDER_DAYS = 3;
