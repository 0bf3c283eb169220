/** `npm run migrate`: create the database if missing and apply pending migrations, as DATABASE_MIGRATION_URL's role when set. */
import { loadConfig } from '../platform/config.js';
import { ensureDatabase } from '../platform/postgres.js';
import { runMigrations } from '../platform/runMigrations.js';

const config = loadConfig();
try {
  const owner = config.databaseMigrationUrl ?? config.databaseUrl;
  await ensureDatabase(owner);
  const report = await runMigrations(owner);
  process.stdout.write(
    `${report.applied.length} migration(s) applied${report.applied.length > 0 ? `: ${report.applied.join(', ')}` : ''}; ${report.alreadyApplied} already applied\n`,
  );
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
