/**
 * Decides which migration files to apply, given the ones already recorded. Pure: the
 * runner reads the files and the table; this checks order, names and checksums.
 */
import { createHash } from 'node:crypto';
import { err, ok, type Result } from '../core/result.js';

export type MigrationFile = {
  readonly name: string; // e.g. 0003_pharmacy_view_orders.sql
  readonly sql: string;
};

export type Migration = MigrationFile & {
  readonly version: number;
  readonly checksum: string;
  /** The file's first line is `-- no-transaction` (e.g. CREATE INDEX CONCURRENTLY). */
  readonly transactional: boolean;
};

export type AppliedMigration = { readonly name: string; readonly checksum: string };

export type MigrationProblem =
  | { readonly kind: 'bad-file-name'; readonly name: string }
  | { readonly kind: 'duplicate-version'; readonly version: number; readonly names: readonly string[] }
  | { readonly kind: 'edited-after-apply'; readonly name: string }
  | { readonly kind: 'applied-file-missing'; readonly name: string }
  | { readonly kind: 'out-of-order'; readonly name: string; readonly lastApplied: string };

const FILE_NAME = /^(\d{4})_[a-z0-9_]+\.sql$/;

export function checksumOf(sql: string): string {
  // Line endings are normalised so a checkout with CRLF does not look like an edit.
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n'), 'utf8').digest('hex');
}

export function toMigration(file: MigrationFile): Result<Migration, MigrationProblem> {
  const match = FILE_NAME.exec(file.name);
  if (match?.[1] === undefined) return err({ kind: 'bad-file-name', name: file.name });
  const firstLine = file.sql.split('\n', 1)[0]?.trim().toLowerCase() ?? '';
  return ok({
    ...file,
    version: Number(match[1]),
    checksum: checksumOf(file.sql),
    transactional: firstLine !== '-- no-transaction',
  });
}

/** The migrations still to apply, in order, or every problem that makes applying unsafe. */
export function planMigrations(
  files: readonly MigrationFile[],
  applied: readonly AppliedMigration[],
): Result<readonly Migration[], readonly MigrationProblem[]> {
  const problems: MigrationProblem[] = [];
  const migrations: Migration[] = [];
  for (const file of files) {
    const migration = toMigration(file);
    if (migration.ok) migrations.push(migration.value);
    else problems.push(migration.error);
  }
  migrations.sort((a, b) => a.version - b.version || a.name.localeCompare(b.name));

  const byVersion = new Map<number, string[]>();
  for (const m of migrations) byVersion.set(m.version, [...(byVersion.get(m.version) ?? []), m.name]);
  for (const [version, names] of byVersion) {
    if (names.length > 1) problems.push({ kind: 'duplicate-version', version, names });
  }

  const onDisk = new Map(migrations.map((m) => [m.name, m]));
  const appliedNames = new Set(applied.map((a) => a.name));
  for (const a of applied) {
    const file = onDisk.get(a.name);
    if (file === undefined) problems.push({ kind: 'applied-file-missing', name: a.name });
    else if (file.checksum !== a.checksum) problems.push({ kind: 'edited-after-apply', name: a.name });
  }

  const pending = migrations.filter((m) => !appliedNames.has(m.name));
  const lastApplied = migrations.filter((m) => appliedNames.has(m.name)).at(-1);
  if (lastApplied !== undefined) {
    for (const m of pending) {
      if (m.version < lastApplied.version)
        problems.push({ kind: 'out-of-order', name: m.name, lastApplied: lastApplied.name });
    }
  }
  return problems.length > 0 ? err(problems) : ok(pending);
}

export function describeMigrationProblem(problem: MigrationProblem): string {
  switch (problem.kind) {
    case 'bad-file-name':
      return `${problem.name}: migration files are named NNNN_lower_snake_case.sql`;
    case 'duplicate-version':
      return `version ${problem.version} is used by ${problem.names.join(' and ')}: renumber one of them`;
    case 'edited-after-apply':
      return `${problem.name} was edited after it was applied (checksum differs): restore it and put the change in a new migration`;
    case 'applied-file-missing':
      return `${problem.name} is recorded as applied but the file is gone: restore it`;
    case 'out-of-order':
      return `${problem.name} is not applied but the later ${problem.lastApplied} is: number new migrations after the last applied one`;
  }
}
