import { CompiledQuery } from 'kysely';
import { wallClock } from '../../clock/index.js';
import type { Position } from '../../eventstore/index.js';
import type { Db } from '../../db/index.js';

export type Checkpoint = Readonly<{
  name: string;
  position: Position | undefined;
  eventsApplied: bigint;
  updatedAt: Date;
}>;

const toCheckpoint = (row: {
  name: string;
  commit: string | null;
  prepare: string | null;
  events_applied: string;
  updated_at: Date;
}): Checkpoint => ({
  name: row.name,
  position:
    row.commit === null || row.prepare === null
      ? undefined
      : { commit: BigInt(row.commit), prepare: BigInt(row.prepare) },
  eventsApplied: BigInt(row.events_applied),
  updatedAt: row.updated_at,
});

export const ensureCheckpoint = async (db: Db, name: string): Promise<void> => {
  await db
    .insertInto('read.projection_checkpoints')
    .values({ name, commit: null, prepare: null })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
};

export const getCheckpoint = async (db: Db, name: string): Promise<Checkpoint | undefined> => {
  const row = await db
    .selectFrom('read.projection_checkpoints')
    .selectAll()
    .where('name', '=', name)
    .executeTakeFirst();
  return row && toCheckpoint(row);
};

/** Locks the row for the rest of the transaction, so two runners never apply the same batch. */
export const lockCheckpoint = async (db: Db, name: string): Promise<Checkpoint | undefined> => {
  const row = await db
    .selectFrom('read.projection_checkpoints')
    .selectAll()
    .where('name', '=', name)
    .forUpdate()
    .executeTakeFirst();
  return row && toCheckpoint(row);
};

export const listCheckpoints = async (db: Db): Promise<Checkpoint[]> =>
  (await db.selectFrom('read.projection_checkpoints').selectAll().orderBy('name').execute()).map(
    toCheckpoint,
  );

export const saveCheckpoint = async (
  db: Db,
  name: string,
  position: Position | undefined,
  appliedInBatch: number,
): Promise<void> => {
  await db
    .updateTable('read.projection_checkpoints')
    .set((eb) => ({
      commit: position?.commit.toString() ?? null,
      prepare: position?.prepare.toString() ?? null,
      events_applied:
        position === undefined ? 0 : eb('events_applied', '+', String(appliedInBatch)),
      updated_at: wallClock.now(),
    }))
    .where('name', '=', name)
    .execute();
};

/** advanceCheckpoint's statement: one text, so it is prepared once per connection and never compiled again. */
const ADVANCE_CHECKPOINT = `update read.projection_checkpoints
   set "commit" = $1::bigint, "prepare" = $2::bigint, updated_at = $4::timestamptz,
       events_applied = case when $1::bigint is null then 0 else events_applied + $3::bigint end
 where name = $5::text and "commit" is not distinct from $6::bigint and "prepare" is not distinct from $7::bigint`;

/**
 * Moves the checkpoint from `from` to `to` and locks it for the rest of the
 * transaction, or moves nothing (false) when it no longer stands at `from`:
 * another runner got there first. One statement where a lock and then an
 * update took two; a runner waiting on the lock sees the winner's position
 * once it commits, so two runners never apply the same batch. Written as
 * SQL text, not built: it runs once per batch of every projection.
 */
export const advanceCheckpoint = async (
  db: Db,
  name: string,
  from: Position | undefined,
  to: Position | undefined,
  appliedInBatch: number,
): Promise<boolean> => {
  const moved = await db.executeQuery(
    CompiledQuery.raw(ADVANCE_CHECKPOINT, [
      to?.commit.toString() ?? null,
      to?.prepare.toString() ?? null,
      String(appliedInBatch),
      wallClock.now(),
      name,
      from?.commit.toString() ?? null,
      from?.prepare.toString() ?? null,
    ]),
  );
  return (moved.numAffectedRows ?? 0n) > 0n;
};
