import { v7 as uuidv7 } from 'uuid';

/** Prefixed UUIDv7 ids (SPEC §3): sortable by creation time, typed by their prefix. */
export type IdPrefix = 'usr' | 'cus' | 'pln' | 'ctr' | 'sub' | 'cn' | 'txr' | 'cpn' | 'key' | 'whe';

export const newId = (prefix: IdPrefix): string => `${prefix}_${uuidv7().replaceAll('-', '')}`;
