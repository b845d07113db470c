import type { ColumnType, Kysely, Transaction } from 'kysely';

/**
 * Every table the application queries. Empty here: each module that owns
 * tables declares them in a table map beside its code (`UserTables`, …), and
 * the composition root (src/root/database.ts) gathers the maps into this
 * interface. So a query function imports only this foundation, never the
 * root nor another feature, and is still checked against every table.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Database {}

/** Query functions take either the database or a transaction as their first argument. */
export type Db = Kysely<Database> | Transaction<Database>;

/** bigint columns come back from pg as strings; they are written as bigint or string. */
export type Int8 = ColumnType<string, bigint | string | number, bigint | string | number>;

/** A timestamptz column: read as a Date, written as a Date or an ISO string. */
export type Instant = ColumnType<Date, Date | string, Date | string>;
export type NullableInstant = ColumnType<Date | null, Date | string | null, Date | string | null>;
/** A jsonb column of string pairs (a client's metadata), written as JSON text. */
export type Metadata = ColumnType<Readonly<Record<string, string>> | null, string | null, string | null>;
