import { describe, expect, test } from 'vitest';
import { checksumOf, planMigrations } from './planMigrations.js';

const file = (name: string, sql = `-- ${name}\nSELECT 1;`) => ({ name, sql });
const applied = (f: { name: string; sql: string }) => ({ name: f.name, checksum: checksumOf(f.sql) });

describe('planMigrations', () => {
  test('orders pending files by their number, whatever the directory order', () => {
    const plan = planMigrations([file('0010_c.sql'), file('0002_b.sql'), file('0001_a.sql')], []);
    expect(plan.ok && plan.value.map((m) => m.name)).toEqual(['0001_a.sql', '0002_b.sql', '0010_c.sql']);
  });

  test('skips what is applied; nothing pending is an empty plan', () => {
    const a = file('0001_a.sql');
    const b = file('0002_b.sql');
    expect(planMigrations([a, b], [applied(a)])).toMatchObject({ ok: true, value: [{ name: '0002_b.sql' }] });
    expect(planMigrations([a, b], [applied(a), applied(b)])).toEqual({ ok: true, value: [] });
  });

  test('an applied file that was edited is an error, even by one character', () => {
    const a = file('0001_a.sql', 'SELECT 1;');
    const plan = planMigrations([{ ...a, sql: 'SELECT 2;' }], [applied(a)]);
    expect(plan).toEqual({ ok: false, error: [{ kind: 'edited-after-apply', name: '0001_a.sql' }] });
  });

  test('CRLF line endings are not an edit', () => {
    const a = file('0001_a.sql', 'SELECT 1;\nSELECT 2;\n');
    expect(planMigrations([{ ...a, sql: a.sql.replace(/\n/g, '\r\n') }], [applied(a)])).toEqual({
      ok: true,
      value: [],
    });
  });

  test.each([
    { name: 'bad file name', files: [file('1_a.sql')], appliedFiles: [], kind: 'bad-file-name' },
    {
      name: 'two files with one number',
      files: [file('0001_a.sql'), file('0001_b.sql')],
      appliedFiles: [],
      kind: 'duplicate-version',
    },
    { name: 'applied file removed', files: [], appliedFiles: [file('0001_a.sql')], kind: 'applied-file-missing' },
    {
      name: 'new file numbered before an applied one',
      files: [file('0001_a.sql'), file('0002_b.sql')],
      appliedFiles: [file('0002_b.sql')],
      kind: 'out-of-order',
    },
  ])('$name → $kind', ({ files, appliedFiles, kind }) => {
    const plan = planMigrations(files, appliedFiles.map(applied));
    expect(plan.ok ? [] : plan.error.map((p) => p.kind)).toEqual([kind]);
  });

  test('a first line "-- no-transaction" runs the file outside a transaction', () => {
    const plan = planMigrations(
      [file('0001_a.sql', '-- no-transaction\nCREATE INDEX CONCURRENTLY i ON t (c);'), file('0002_b.sql')],
      [],
    );
    expect(plan.ok && plan.value.map((m) => m.transactional)).toEqual([false, true]);
  });
});
