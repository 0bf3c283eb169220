/** `npm run migrate`: create the database if missing and apply pending migrations. */
import { loadConfig } from '../platform/config.js';
import { ensureDatabase } from '../platform/postgres.js';
import { runMigrations } from '../platform/runMigrations.js';

const config = loadConfig();
try {
  await ensureDatabase(config.databaseUrl);
  const report = await runMigrations(config.databaseUrl);
  process.stdout.write(
    `${report.applied.length} migration(s) applied${report.applied.length > 0 ? `: ${report.applied.join(', ')}` : ''}; ${report.alreadyApplied} already applied\n`,
  );
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
