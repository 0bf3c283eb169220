/** The GP view's reads for the API. I/O. */

import type { Pool } from '../../platform/postgres.js';
import { quoteIdentifier } from '../../platform/postgres.js';
import type { GpState } from './evolve.js';
import { type GpViewTables, gpViewTables } from './tables.js';

/** The patient's stored GP-view state; undefined when the view has never seen the patient. */
export async function readGpState(
  pool: Pool,
  nhsNumber: string,
  tables: GpViewTables = gpViewTables,
): Promise<GpState | undefined> {
  const result = await pool.query<{ state: GpState }>(
    `SELECT state FROM ${quoteIdentifier(tables.state)} WHERE nhs_number = $1::text`,
    [nhsNumber],
  );
  return result.rows[0]?.state;
}
