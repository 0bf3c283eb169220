/** The care-plan view's reads: a patient's tasks, and tasks due before an instant across patients. I/O. */

import type { Pool } from '../../platform/postgres.js';
import { quoteIdentifier } from '../../platform/postgres.js';
import type { CarePlanTaskRow } from './rows.js';
import { type CarePlanViewTables, carePlanViewTables } from './tables.js';

export async function tasksOfPatient(pool: Pool, nhsNumber: string, tables: CarePlanViewTables = carePlanViewTables) {
  const result = await pool.query<{ row_data: CarePlanTaskRow }>(
    `SELECT row_data FROM ${quoteIdentifier(tables.tasks)} WHERE nhs_number = $1::text ORDER BY due_at, task_id`,
    [nhsNumber],
  );
  return result.rows.map((r) => r.row_data);
}

export async function tasksDueBefore(
  pool: Pool,
  options: { readonly dueBefore: Date; readonly status: 'open' | 'closed' | undefined; readonly limit: number },
  tables: CarePlanViewTables = carePlanViewTables,
): Promise<readonly CarePlanTaskRow[]> {
  const result = await pool.query<{ row_data: CarePlanTaskRow }>(
    `SELECT row_data FROM ${quoteIdentifier(tables.tasks)}
      WHERE due_at < $1::timestamptz AND ($2::text IS NULL OR status = $2::text)
      ORDER BY due_at, nhs_number, task_id LIMIT $3::int`,
    [options.dueBefore, options.status ?? null, options.limit],
  );
  return result.rows.map((r) => r.row_data);
}
