/**
 * Benchmark entry point: `npm run bench -- <name>` runs bench/<name>.ts's `run()`.
 * Benchmarks print figures; they assert nothing and are never part of the test suite.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Benchmark = { run?: () => Promise<void> };

const here = path.dirname(fileURLToPath(import.meta.url));

const availableBenchmarks = async (): Promise<string[]> =>
  (await readdir(here, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && entry.name !== 'run.ts')
    .map((entry) => entry.name.slice(0, -'.ts'.length))
    .sort();

const main = async (): Promise<number> => {
  const name = process.argv[2];
  const available = await availableBenchmarks();
  if (!name || !available.includes(name)) {
    console.error(name ? `unknown benchmark "${name}"` : 'no benchmark named');
    console.error('usage: npm run bench -- <name>');
    console.error(`available benchmarks: ${available.join(', ') || '(none)'}`);
    return 2;
  }
  const benchmark = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as Benchmark;
  if (typeof benchmark.run !== 'function') {
    console.error(`bench/${name}.ts exports no run() function`);
    return 2;
  }
  await benchmark.run();
  return 0;
};

try {
  process.exitCode = await main();
} catch (err) {
  console.error('benchmark failed:', err);
  process.exitCode = 1;
}
