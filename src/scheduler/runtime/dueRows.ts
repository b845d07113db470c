import { sql, type RawBuilder } from 'kysely';
import type { Database, Db } from '../../db/index.js';

/** Where a trigger finds what is due: the rows of one read model, in some statuses, whose instant has come. */
export type DueQuery = Readonly<{
  table: keyof Database & string;
  /** The row's id: the keyset a sweep pages by. */
  id: string;
  statuses: readonly [string, ...string[]];
  /** The column that says when the row falls due. */
  dueAt: string;
  /** More columns the act needs, returned under their own names. */
  columns?: readonly string[];
}>;

/**
 * One page of what is due at `now`: rows in `statuses` whose `dueAt` has
 * come, in id order after `after`, `limit` at a time. The one keyset query
 * every sweeping trigger pages with; the read models' partial indexes
 * (status, due column) serve it.
 */
export const dueRows = async <R extends Readonly<{ id: string }> = Readonly<{ id: string }>>(
  db: Db,
  query: DueQuery,
  now: Date,
  after: string | undefined,
  limit: number,
): Promise<R[]> => {
  const id = sql.ref(query.id);
  const { rows } = await sql<R>`
    select ${sql.join([sql`${id} as id`, ...(query.columns ?? []).map((c) => sql.ref(c))])}
      from ${sql.table(query.table)}
     where status in (${sql.join(query.statuses)}) and ${sql.ref(query.dueAt)} <= ${now}
       ${after === undefined ? sql`` : sql`and ${id} > ${after}`}
     order by ${id}
     limit ${limit}`.execute(db);
  return rows;
};

/**
 * When a trigger has work, as SQL over the read models it reads, so that a
 * test clock asks every trigger at once in one statement: whether it has
 * any at `now` (never false when its run would find some), and the first
 * instant after `now` at which it will (none: it has no instants of its own).
 */
export type DueWhen = Readonly<{
  now: (now: Date) => RawBuilder<boolean>;
  next?: (now: Date) => RawBuilder<Date | null>;
}>;

/** A DueQuery's instants: a row due at `now`, and the first due after it. */
export const dueWhenOf = (query: DueQuery): DueWhen => {
  const rows = sql`${sql.table(query.table)} where status in (${sql.join(query.statuses)})`;
  const dueAt = sql.ref(query.dueAt);
  return {
    now: (now) => sql<boolean>`exists (select 1 from ${rows} and ${dueAt} <= ${now})`,
    next: (now) => sql<Date | null>`(select min(${dueAt}) from ${rows} and ${dueAt} > ${now})`,
  };
};
