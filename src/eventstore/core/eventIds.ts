import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/**
 * A UUID (version 8, RFC 9562) derived from a name: the same command retried
 * produces the same eventIds, so the store recognises the retry.
 */
export const uuidFromName = (name: string): string => {
  const bytes = createHash('sha256').update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/**
 * Deterministic ids when the command has an id; otherwise UUIDv7, whose time
 * order keeps the event_id index appending at its right edge.
 */
export const eventIdsFor = (commandId: string | undefined, count: number): string[] =>
  Array.from({ length: count }, (_, i) => (commandId === undefined ? uuidv7() : uuidFromName(`${commandId}:${i}`)));
