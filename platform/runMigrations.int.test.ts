import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, test } from '../test/support/fixtures.js';
import { testTempDir } from '../test/support/testTempDir.js';
import { MigrationError, runMigrations } from './runMigrations.js';

async function migrationsDir(files: Record<string, string>): Promise<string> {
  const dir = await testTempDir('cel-migrations-');
  for (const [name, sql] of Object.entries(files)) await writeFile(join(dir, name), sql);
  return dir;
}

async function query<T extends pg.QueryResultRow>(url: URL, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const files = {
  '0001_create_things.sql': 'CREATE TABLE things (id integer PRIMARY KEY);',
  '0002_seed_things.sql': 'INSERT INTO things VALUES (1), (2);',
  '0003_index_things.sql': '-- no-transaction\nCREATE INDEX CONCURRENTLY things_id ON things (id);',
};

describe('runMigrations', () => {
  test('applies each file once, in order; a second run is a no-op', async ({ databaseUrl }) => {
    const dir = await migrationsDir(files);
    expect(await runMigrations(databaseUrl, { dir })).toEqual({
      applied: ['0001_create_things.sql', '0002_seed_things.sql', '0003_index_things.sql'],
      alreadyApplied: 0,
    });
    expect(await runMigrations(databaseUrl, { dir })).toEqual({ applied: [], alreadyApplied: 3 });
    expect(await query(databaseUrl, 'SELECT count(*)::int AS n FROM things')).toEqual([{ n: 2 }]);
    const recorded = await query<{ name: string; checksum: string }>(
      databaseUrl,
      'SELECT name, checksum FROM schema_migrations ORDER BY name',
    );
    expect(recorded.map((r) => r.name)).toEqual(Object.keys(files));
    expect(recorded.every((r) => /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true);
  });

  test('two processes starting at once apply every migration exactly once', async ({ databaseUrl }) => {
    const dir = await migrationsDir(files);
    const [a, b] = await Promise.all([runMigrations(databaseUrl, { dir }), runMigrations(databaseUrl, { dir })]);
    expect([...(a?.applied ?? []), ...(b?.applied ?? [])].sort()).toEqual(Object.keys(files));
    expect(await query(databaseUrl, 'SELECT count(*)::int AS n FROM things')).toEqual([{ n: 2 }]);
  });

  test('an applied migration edited afterwards stops the run and nothing more is applied', async ({ databaseUrl }) => {
    const dir = await migrationsDir({ '0001_create_things.sql': files['0001_create_things.sql'] });
    await runMigrations(databaseUrl, { dir });
    await writeFile(join(dir, '0001_create_things.sql'), 'CREATE TABLE things (id bigint PRIMARY KEY);');
    await writeFile(join(dir, '0002_seed_things.sql'), files['0002_seed_things.sql']);
    const run = runMigrations(databaseUrl, { dir });
    await expect(run).rejects.toBeInstanceOf(MigrationError);
    await expect(run).rejects.toThrow(/0001_create_things.sql was edited after it was applied/);
    expect(await query(databaseUrl, 'SELECT count(*)::int AS n FROM things')).toEqual([{ n: 0 }]);
  });

  test('a failing migration rolls back entirely and is not recorded', async ({ databaseUrl }) => {
    const dir = await migrationsDir({
      '0001_create_things.sql': files['0001_create_things.sql'],
      '0002_broken.sql': 'INSERT INTO things VALUES (1); INSERT INTO nowhere VALUES (1);',
    });
    await expect(runMigrations(databaseUrl, { dir })).rejects.toThrow(/0002_broken.sql failed/);
    expect(await query(databaseUrl, 'SELECT count(*)::int AS n FROM things')).toEqual([{ n: 0 }]);
    expect(await query(databaseUrl, 'SELECT name FROM schema_migrations')).toEqual([
      { name: '0001_create_things.sql' },
    ]);
  });
});
