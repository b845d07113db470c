import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/index.js';

export type Work = (trx: Transaction<Database>) => Promise<void>;

/** Commits a projection's write: alone, or in one transaction with the writes of others that came at the same time. */
export type GroupCommit = (projection: string, work: Work) => Promise<void>;

type Pending = Readonly<{ projection: string; work: Work; resolve: () => void; reject: (err: unknown) => void }>;

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
 */
export const groupCommit = (db: Kysely<Database>): GroupCommit => {
  let pending: Pending[] = [];
  const alone = (item: Pending) => db.transaction().execute(item.work).then(item.resolve, item.reject);
  const flush = async () => {
    const items = pending.sort((a, b) => (a.projection < b.projection ? -1 : 1));
    pending = [];
    if (items.length === 1) return alone(items[0]!);
    try {
      await db.transaction().execute(async (trx) => {
        for (const item of items) await item.work(trx);
      });
    } catch {
      await Promise.all(items.map(alone));
      return;
    }
    for (const item of items) item.resolve();
  };
  return (projection, work) =>
    new Promise<void>((resolve, reject) => {
      if (pending.length === 0) setImmediate(() => void flush());
      pending.push({ projection, work, resolve, reject });
    });
};
