import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { MIGRATIONS_DIR } from '../../platform/runMigrations.js';
import { auditIndexMigrations, auditIndexTables } from './tables.js';

describe('the audit index tables', () => {
  const sql = auditIndexMigrations.map((name) => readFileSync(`${MIGRATIONS_DIR}${name}`, 'utf8')).join('\n');
  test.each(Object.values(auditIndexTables).map((table) => ({ table })))(
    '$table is created by its migration',
    ({ table }) => {
      expect(sql).toContain(`CREATE TABLE ${table} (`);
    },
  );
});
