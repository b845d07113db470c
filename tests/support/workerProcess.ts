import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clockEnv } from './clockEnv.js';

/**
 * `npm start -- --role worker` as operators run it: node on src/main.ts, a
 * child process against a test database, on the system clock (a worker may
 * not run a simulated one), logging JSON at info. Every process started is
 * kept, so that `killAll` (or `close`) can end those a failed test left
 * running.
 */
const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export type WorkerProcess = Readonly<{
  child: ChildProcess;
  pid: number;
  /** The signal that ended it, or its exit code. */
  exit: Promise<number | NodeJS.Signals | null>;
  /** Everything it printed, stdout and stderr. */
  output: () => string;
  /** Whether it logged a line with this message. */
  logged: (message: string) => boolean;
}>;

/** The line a worker logs once it is up: migrated, its queues created, its workers polling. */
export const WORKER_READY = 'billstream worker running, no HTTP API';

export const workerProcesses = async (databaseUrl: string) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'billstream-worker-'));
  const started: WorkerProcess[] = [];

  /** A worker, unless `role` says otherwise (an `api` process needs PORT and JWT_SECRET in `env`). */
  const start = (env: Readonly<Record<string, string>> = {}, role: 'worker' | 'api' = 'worker'): WorkerProcess => {
    const child = spawn(process.execPath, ['--import', 'tsx', main, '--role', role], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        ...clockEnv(),
        TZ: 'UTC',
        DATABASE_URL: databaseUrl,
        DATABASE_POOL_SIZE: '6',
        DATA_DIR: dataDir,
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'info',
        ...env,
      },
    });
    let output = '';
    // Drained, or a full pipe would block the child.
    child.stdout!.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    const exit = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    const logged = (message: string) =>
      output.split('\n').some((line) => {
        try {
          return (JSON.parse(line) as { message?: unknown }).message === message;
        } catch {
          return false;
        }
      });
    const worker: WorkerProcess = { child, pid: child.pid!, exit, output: () => output, logged };
    started.push(worker);
    return worker;
  };

  /** Ends every process still running (SIGKILL). */
  const killAll = async (): Promise<void> => {
    for (const { child, exit } of started) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exit;
    }
  };

  return {
    start,
    killAll,
    /** killAll, then removes their data directory. */
    close: async (): Promise<void> => {
      await killAll();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
};
