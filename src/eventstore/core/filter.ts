import type { AllFilter, RecordedEvent } from './port.js';

/** Whether an event passes a filter of the log, as every adapter applies it. */
export const matchesFilter = (event: RecordedEvent, filter: AllFilter | undefined): boolean => {
  if (!filter) return true;
  if (filter.streamPrefixes && !filter.streamPrefixes.some((p) => event.streamName.startsWith(p))) return false;
  if (filter.eventTypes && !filter.eventTypes.includes(event.type)) return false;
  return true;
};
