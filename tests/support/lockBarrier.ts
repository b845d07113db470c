import type pg from 'pg';

export type Waiter = Readonly<{ pid: number; query: string }>;

export type LockBarrier = Readonly<{
  /** Runs in the barrier's transaction: what it locks, others wait for until `release`. */
  query: (text: string, values?: unknown[]) => Promise<pg.QueryResult>;
  /** The sessions blocked by it now (pg_blocking_pids), with the statement each is stuck in. */
  waiters: () => Promise<Waiter[]>;
  /** Rolls back: whatever it locked or wrote is let go, nothing of it kept. Safe to call twice. */
  release: () => Promise<void>;
}>;

/**
 * A transaction held open on its own connection, as a barrier another
 * process's next write must wait at: a test takes a lock in it, waits (with
 * expect.poll on `waiters`) until that process is blocked there, and so
 * knows for certain where it is, instead of guessing by time.
 */
export const openLockBarrier = async (pool: pg.Pool): Promise<LockBarrier> => {
  const client = await pool.connect();
  let open = true;
  try {
    await client.query('begin');
  } catch (err) {
    client.release();
    throw err;
  }
  const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
  const pid = rows[0]!.pid;
  return {
    query: (text, values) => client.query(text, values),
    waiters: async () =>
      (await pool.query<Waiter>('select pid, query from pg_stat_activity where $1 = any(pg_blocking_pids(pid)) order by pid', [pid])).rows,
    release: async () => {
      if (!open) return;
      open = false;
      try {
        await client.query('rollback');
      } finally {
        client.release();
      }
    },
  };
};

/**
 * Has the server check, every 100 ms, that the client of a running statement
 * is still connected (client_connection_check_interval, for sessions opened
 * from now on). A SIGKILLed process's statement still waiting at a barrier is
 * then aborted by the server, instead of running on, and committing, once the
 * barrier is released.
 */
export const abortStatementsOfLostClients = async (pool: pg.Pool, databaseUrl: string): Promise<void> => {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  await pool.query(`alter database "${name.replaceAll('"', '""')}" set client_connection_check_interval = '100ms'`);
};
