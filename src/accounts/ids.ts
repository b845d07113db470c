import { v7 as uuidv7 } from 'uuid';

/** Prefixed UUIDv7 ids (SPEC §3): sortable by creation time, typed by their prefix. */
export const newId = (prefix: 'usr'): string => `${prefix}_${uuidv7().replaceAll('-', '')}`;
