/**
 * A patient's events as the log held them at an instant (record time ≤ asOf), in log order,
 * revived from the audit index: the input of the as-of views, folded with the same evolve
 * functions as the live ones. I/O.
 */
import type { Pool } from '../../platform/postgres.js';
import type { ClinicalEvent } from '../../schemas/generated/events.js';
import { eventFromJson } from './eventJson.js';
import { auditIndexTables } from './tables.js';

export async function eventsOfPatientUntil(
  pool: Pool,
  nhsNumber: string,
  asOf: Date,
): Promise<readonly ClinicalEvent[]> {
  const result = await pool.query<{ payload: unknown; partition: number; offset: string }>(
    `SELECT payload, partition, "offset" FROM ${auditIndexTables.events}
      WHERE nhs_number = $1::text AND recorded_at <= $2::timestamptz
      ORDER BY partition, "offset"`,
    [nhsNumber, asOf],
  );
  return result.rows.map((row) => {
    const event = eventFromJson(row.payload);
    if (!event.ok)
      throw new Error(`audit index ${row.partition}/${row.offset} does not revive as an event: ${event.error.kind}`);
    return event.value;
  });
}
