/**
 * Applies the SQL files in migrations/ in order, each in its own transaction, recording a
 * checksum per file. Holds a session advisory lock so two processes starting at once
 * apply each migration exactly once. I/O.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import type { Logger } from './logger.js';
import {
  type AppliedMigration,
  describeMigrationProblem,
  type MigrationProblem,
  planMigrations,
} from './planMigrations.js';

export const MIGRATIONS_DIR = new URL('../migrations/', import.meta.url).pathname;
// Any constant works as long as nothing else in the database uses it for another purpose.
const MIGRATION_LOCK_KEY = 727_274_001;

export class MigrationError extends Error {
  readonly code = 'CEL_ERR_MIGRATION';
  readonly retriable = false;
  constructor(readonly problems: readonly MigrationProblem[]) {
    super(`migrations cannot be applied:\n${problems.map((p) => `  ${describeMigrationProblem(p)}`).join('\n')}`);
    this.name = 'MigrationError';
  }
}

export type MigrationReport = { readonly applied: readonly string[]; readonly alreadyApplied: number };

export async function runMigrations(
  databaseUrl: URL,
  options: { readonly dir?: string; readonly logger?: Logger } = {},
): Promise<MigrationReport> {
  const dir = options.dir ?? MIGRATIONS_DIR;
  const names = (await readdir(dir)).filter((n) => n.endsWith('.sql'));
  const files = await Promise.all(names.map(async (name) => ({ name, sql: await readFile(join(dir, name), 'utf8') })));

  const client = new pg.Client({ connectionString: databaseUrl.toString(), application_name: 'cel-migrations' });
  await client.connect();
  try {
    await acquireMigrationLock(client);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      execution_ms integer NOT NULL
    )`);
    const applied = await readAppliedMigrations(client);
    const plan = planMigrations(files, applied);
    if (!plan.ok) throw new MigrationError(plan.error);
    for (const migration of plan.value) {
      const started = performance.now();
      if (migration.transactional) await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query(
          'INSERT INTO schema_migrations (name, checksum, execution_ms) VALUES ($1::text, $2::text, $3::integer)',
          [migration.name, migration.checksum, Math.round(performance.now() - started)],
        );
        if (migration.transactional) await client.query('COMMIT');
      } catch (error) {
        if (migration.transactional) await client.query('ROLLBACK');
        throw new Error(
          `migration ${migration.name} failed: ${error instanceof Error ? error.message : String(error)}`,
          {
            cause: error,
          },
        );
      }
      options.logger?.info({ migration: migration.name }, 'migration applied');
    }
    return { applied: plan.value.map((m) => m.name), alreadyApplied: applied.length };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}

/**
 * Polls pg_try_advisory_lock instead of blocking in pg_advisory_lock: a session blocked in
 * that call holds a snapshot, and CREATE INDEX CONCURRENTLY in the lock holder would wait
 * for it — a deadlock between two starting processes.
 */
async function acquireMigrationLock(client: pg.Client): Promise<void> {
  for (;;) {
    const result = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [
      MIGRATION_LOCK_KEY,
    ]);
    if (result.rows[0]?.locked === true) return;
    await delay(100);
  }
}

type AppliedRow = { name: string; checksum: string };
async function readAppliedMigrations(client: pg.Client): Promise<readonly AppliedMigration[]> {
  const result = await client.query<AppliedRow>('SELECT name, checksum FROM schema_migrations ORDER BY name');
  return result.rows;
}
