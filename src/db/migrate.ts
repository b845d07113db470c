import { InternalError } from '../domain/shared/index.js';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Migrator, type Kysely, type Migration, type MigrationProvider, type MigrationResult } from 'kysely';

export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

export class MigrationFailedError extends InternalError {
  constructor(
    readonly migrationName: string | undefined,
    override readonly cause: unknown,
  ) {
    super(
      'migration.failed',
      `migration ${migrationName ?? '(unknown)'} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      { migrationName },
      { cause },
    );
  }
}

/**
 * Like kysely's FileMigrationProvider, but the import() runs in our module, so
 * whatever loads our TypeScript (tsx, vitest) also loads the migrations.
 */
const folderProvider = (folder: string): MigrationProvider => ({
  async getMigrations() {
    const files = (await fs.readdir(folder)).filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts'));
    const migrations: Record<string, Migration> = {};
    for (const file of files.sort()) {
      const module = (await import(pathToFileURL(path.join(folder, file)).href)) as Migration;
      migrations[file.replace(/\.(ts|js|mjs)$/, '')] = module;
    }
    return migrations;
  },
});

/** Runs every pending migration in `migrations/`; throws MigrationFailedError on the first failure. */
export const migrateToLatest = async (
  db: Kysely<any>,
  folder: string = migrationsFolder,
): Promise<readonly MigrationResult[]> => {
  const migrator = new Migrator({
    db,
    provider: folderProvider(folder),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((r) => r.status === 'Error');
    throw new MigrationFailedError(failed?.migrationName, error);
  }
  return results;
};
