/**
 * Applies the SQL files in migrations/ in order, each in its own transaction, recording a
 * checksum per file. Holds a session advisory lock so two processes starting at once
 * apply each migration exactly once. When every file is already applied it changes nothing, so
 * a role without CREATE (the service's least-rights role) passes the check at start; applying
 * needs the owner (DATABASE_MIGRATION_URL). I/O.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type pg from 'pg';
import type { Logger } from './logger.js';
import {
  type AppliedMigration,
  describeMigrationProblem,
  type MigrationProblem,
  planMigrations,
} from './planMigrations.js';
import { connectClient, isPgError } from './postgres.js';
import { variableOf } from './postgresConnection.js';

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

  const client = await connectClient(databaseUrl, { application_name: 'cel-migrations' });
  let locked = false;
  try {
    // Nothing to apply: no lock and no DDL (a role without CREATE passes).
    const recorded = await readAppliedMigrationsIfAny(client);
    if (recorded !== undefined) {
      const upToDate = planMigrations(files, recorded);
      if (upToDate.ok && upToDate.value.length === 0) return { applied: [], alreadyApplied: recorded.length };
    }
    await acquireMigrationLock(client);
    locked = true;
    // Created only when missing, so a role without CREATE reaches the pending file and names it.
    if (recorded === undefined) {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        name text PRIMARY KEY,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        execution_ms integer NOT NULL
      )`);
    }
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
          `migration ${migration.name} failed: ${error instanceof Error ? error.message : String(error)}${insufficientRightsHint(error, databaseUrl)}`,
          {
            cause: error,
          },
        );
      }
      options.logger?.info({ migration: migration.name }, 'migration applied');
    }
    return { applied: plan.value.map((m) => m.name), alreadyApplied: applied.length };
  } catch (error) {
    // The bookkeeping table itself could not be made: the role may not create tables.
    if (error instanceof MigrationError || !isPgError(error) || error.code !== '42501') throw error;
    throw new Error(`migrations cannot be applied: ${error.message}${insufficientRightsHint(error, databaseUrl)}`, {
      cause: error,
    });
  } finally {
    if (locked) {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
    await client.end();
  }
}

/** For a permission error: which variable to point at the owner role. */
function insufficientRightsHint(error: unknown, databaseUrl: URL): string {
  if (!isPgError(error) || error.code !== '42501') return '';
  return variableOf(databaseUrl) === 'DATABASE_MIGRATION_URL'
    ? '; DATABASE_MIGRATION_URL must name the role that owns the schema'
    : `; ${variableOf(databaseUrl)} names a role without the right to change the schema: set DATABASE_MIGRATION_URL to the owner role's URL`;
}

/** The applied migrations, or undefined when the bookkeeping table does not exist yet. */
async function readAppliedMigrationsIfAny(client: pg.Client): Promise<readonly AppliedMigration[] | undefined> {
  const table = await client.query<{ exists: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS exists",
  );
  return table.rows[0]?.exists === true ? readAppliedMigrations(client) : undefined;
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
