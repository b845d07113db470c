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

/** A checkpoint's move under one batch: from where the runner read it to where the batch leaves it. */
export type CheckpointMove = Readonly<{ name: string; from: Position | undefined; to: Position | undefined; applied: number }>;

/**
 * Several checkpoints moved in one statement, each as advanceCheckpoint moves
 * one: answers the names that moved. The rows are locked first, in the order
 * of their names, as every group locks them, so two processes moving the same
 * checkpoints queue instead of deadlocking.
 */
const ADVANCE_CHECKPOINTS = `with moves as (
  select * from jsonb_to_recordset($1::jsonb)
    as m(name text, to_commit bigint, to_prepare bigint, applied bigint, from_commit bigint, from_prepare bigint)),
locked as (
  select c.name from read.projection_checkpoints c
   where c.name in (select name from moves) order by c.name for update)
update read.projection_checkpoints c
   set "commit" = m.to_commit, "prepare" = m.to_prepare, updated_at = $2::timestamptz,
       events_applied = case when m.to_commit is null then 0 else c.events_applied + m.applied end
  from moves m
 where c.name = m.name and c.name in (select name from locked)
   and c."commit" is not distinct from m.from_commit and c."prepare" is not distinct from m.from_prepare
returning c.name`;

export const advanceCheckpoints = async (db: Db, moves: readonly CheckpointMove[]): Promise<ReadonlySet<string>> => {
  const rows = moves.map((m) => ({
    name: m.name,
    to_commit: m.to?.commit.toString() ?? null,
    to_prepare: m.to?.prepare.toString() ?? null,
    applied: m.applied,
    from_commit: m.from?.commit.toString() ?? null,
    from_prepare: m.from?.prepare.toString() ?? null,
  }));
  const moved = await db.executeQuery<{ name: string }>(CompiledQuery.raw(ADVANCE_CHECKPOINTS, [JSON.stringify(rows), wallClock.now()]));
  return new Set(moved.rows.map((r) => r.name));
};
