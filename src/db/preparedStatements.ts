import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { PostgresPool, PostgresPoolClient } from 'kysely';

export type PreparingOptions = Readonly<{
  /** A statement is prepared once it has run this many times in the process. */
  after?: number;
  /** At most this many statements are prepared, on each connection. */
  max?: number;
}>;

/** Texts counted before they are hot: cleared when full, so a stream of one-off texts costs a bounded map. */
const COUNTED = 10_000;
/** PostgreSQL's answer when a prepared `select *` meets a table whose columns changed since. */
const STALE_PLAN = 'cached plan must not change result type';
const BEGINS = /^\s*(begin|start transaction)\b/i;
const ENDS = /^\s*(commit|rollback)\b/i;

/**
 * Kysely's statements, prepared once per connection when they are hot.
 *
 * Kysely sends every statement unnamed, so PostgreSQL parses and plans it on
 * every run, where the event store's statements (and the HTTP benchmark's
 * ceiling) are named and planned once. pg prepares a statement on a connection the
 * first time it runs under a name, and reuses it after. Only statements with
 * parameters are named (transaction control and one-off DDL are not), only
 * after `after` runs (a text built for one list of ids is not kept), and at
 * most `max` of them (a bound on what each connection holds).
 */
export const preparingPool = (pool: pg.Pool, options: PreparingOptions = {}): PostgresPool => {
  const after = options.after ?? 20;
  const max = options.max ?? 200;
  const counts = new Map<string, number>();
  const names = new Map<string, string>();
  /** Texts whose prepared form went stale: each connection keeps it under its name, so they stay unnamed. */
  const unnamed = new Set<string>();

  const nameOf = (text: string): string | undefined => {
    const known = names.get(text);
    if (known || names.size >= max || unnamed.has(text)) return known;
    const runs = (counts.get(text) ?? 0) + 1;
    if (runs < after) {
      if (counts.size >= COUNTED) counts.clear();
      counts.set(text, runs);
      return undefined;
    }
    counts.delete(text);
    const name = `kysely_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
    return name;
  };

  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    // Kysely holds a connection for a whole transaction, and opens and ends it with these.
    let inTransaction = false;
    const query = async (text: string, values: readonly unknown[]) => {
      if (BEGINS.test(text)) inTransaction = true;
      else if (ENDS.test(text)) inTransaction = false;
      const name = values.length > 0 ? nameOf(text) : undefined;
      if (!name) return client.query(text, values as unknown[]);
      try {
        return await client.query({ name, text, values: values as unknown[] });
      } catch (err) {
        if (!(err instanceof Error && err.message.includes(STALE_PLAN))) throw err;
        // A migration changed the table under it: the text runs unnamed from now on, at once unless a transaction was lost with it.
        names.delete(text);
        unnamed.add(text);
        if (inTransaction) throw err;
        return client.query(text, values as unknown[]);
      }
    };
    return {
      query: ((textOrCursor: unknown, values?: readonly unknown[]) =>
        typeof textOrCursor === 'string' ? query(textOrCursor, values ?? []) : client.query(textOrCursor as never)) as unknown as PostgresPoolClient['query'],
      release: () => client.release(),
    };
  };

  return {
    connect: async () => wrap(await pool.connect()),
    end: () => pool.end(),
  };
};
