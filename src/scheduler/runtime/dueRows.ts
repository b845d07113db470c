import { sql } from 'kysely';
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
