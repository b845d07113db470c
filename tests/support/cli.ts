import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export type CliRun = Readonly<{ code: number | null; stdout: string; stderr: string }>;

/**
 * Runs `billstream` (src/root/cli.ts) as an operator would, in a child process
 * against `databaseUrl`, and collects what it printed and its exit code.
 * Without `stdin` the child's stdin is closed ('ignore'), so a command that
 * reads it sees end of input at once.
 */
export const runCli = (args: readonly string[], options: Readonly<{ databaseUrl: string; stdin?: string }>) =>
  new Promise<CliRun>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/root/cli.ts', ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: options.databaseUrl, LOG_LEVEL: 'error' },
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    if (options.stdin !== undefined) child.stdin!.end(options.stdin);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
