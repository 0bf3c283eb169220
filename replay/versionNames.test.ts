import { describe, expect, test } from 'vitest';
import { carePlanViewTables } from '../projections/care-plan-view/tables.js';
import { gpViewTables } from '../projections/gp-view/tables.js';
import { pharmacyViewTables } from '../projections/pharmacy-view/tables.js';
import { progressNameOf, versionedName, versionTablesOf } from './versionNames.js';

describe('version names', () => {
  test("a version's tables are the live ones from tables.ts, versioned, by the same keys", () => {
    expect(versionTablesOf(carePlanViewTables, 2)).toEqual({
      state: 'care_plan_view_patients__v2',
      tasks: 'care_plan_view_tasks__v2',
    });
    expect(progressNameOf('gp-view', 12)).toBe('gp-view@v12');
  });

  test.each([gpViewTables, pharmacyViewTables, carePlanViewTables].flatMap((t) => Object.values(t)))(
    '%s and its indexes fit in an identifier for versions up to 9999',
    (table) => {
      expect(() => versionedName(`${table}_changes`, 9999)).not.toThrow();
    },
  );

  test('a name PostgreSQL would truncate is refused, not silently shortened', () => {
    expect(() => versionedName('x'.repeat(60), 10)).toThrow(/longer than PostgreSQL's 63 bytes/);
  });
});
