import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/index.js';
import { InternalError } from '../../domain/shared/index.js';
import { advanceCheckpoint, advanceCheckpoints, type CheckpointMove } from './checkpoints.js';

export type Work = (trx: Transaction<Database>) => Promise<void>;

/**
 * Commits a projection's write, its checkpoint's move and its rows, alone or
 * in one transaction with the writes of others that came at the same time.
 * Throws CheckpointMovedError, and writes nothing, when the checkpoint no
 * longer stands where the move starts.
 */
export type GroupCommit = (move: CheckpointMove, work: Work) => Promise<void>;

/** Another runner (or a rebuild) moved the checkpoint under us: start again from it. */
export class CheckpointMovedError extends InternalError {
  constructor() {
    super('projection.checkpoint_moved', 'another runner moved the checkpoint');
  }
}

type Pending = Readonly<{ move: CheckpointMove; work: Work; resolve: () => void; reject: (err: unknown) => void }>;

/** Thrown inside a group whose checkpoints did not all move: each write is then tried alone, and the moved one says so. */
class GroupCheckpointMoved extends Error {}

/**
 * One transaction for the writes that arrive together. One page of the log
 * reaches every projection of a runner at once, and each used to write it in
 * a transaction of its own: a begin, a checkpoint and a commit each, on a
 * connection each. Writes asked for within one turn of the event loop are
 * committed together instead. A failure in the group rolls it all back, and
 * each write is then committed alone, so that one projection's failure is its
 * own and the others go on; a write is a read model's rows and checkpoint, so
 * writing it again after a rollback is writing it once. A group takes its
 * checkpoints' locks in the order of their names, as every process's groups
 * do, so two processes running the same projections queue there instead of
 * deadlocking; any other failure, a deadlock included, ends in writes alone.
 * The group's checkpoints move in one statement, not one each.
 */
export const groupCommit = (db: Kysely<Database>): GroupCommit => {
  let pending: Pending[] = [];
  const alone = ({ move, work, resolve, reject }: Pending) =>
    db
      .transaction()
      .execute(async (trx) => {
        if (!(await advanceCheckpoint(trx, move.name, move.from, move.to, move.applied))) throw new CheckpointMovedError();
        await work(trx);
      })
      .then(resolve, reject);
  const flush = async () => {
    const items = pending.sort((a, b) => (a.move.name < b.move.name ? -1 : 1));
    pending = [];
    if (items.length === 1) return alone(items[0]!);
    try {
      await db.transaction().execute(async (trx) => {
        const moved = await advanceCheckpoints(trx, items.map((item) => item.move));
        if (moved.size !== items.length) throw new GroupCheckpointMoved();
        for (const item of items) await item.work(trx);
      });
    } catch {
      await Promise.all(items.map(alone));
      return;
    }
    for (const item of items) item.resolve();
  };
  return (move, work) =>
    new Promise<void>((resolve, reject) => {
      if (pending.length === 0) setImmediate(() => void flush());
      pending.push({ move, work, resolve, reject });
    });
};
