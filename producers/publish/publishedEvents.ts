/**
 * Which facts the adapters have published, by dedup key. A key is recorded only after Kafka
 * acknowledged its event, so a crash in between re-publishes (harmless) rather than loses. I/O.
 */
import type { Pool } from '../../platform/postgres.js';
import type { ClinicalEvent } from '../../schemas/generated/events.js';

/** The subset of `dedupKeys` already published. */
export async function alreadyPublished(pool: Pool, dedupKeys: readonly string[]): Promise<ReadonlySet<string>> {
  if (dedupKeys.length === 0) return new Set();
  const result = await pool.query<{ dedup_key: string }>(
    'SELECT dedup_key FROM ingest_published_events WHERE dedup_key = ANY($1::text[])',
    [dedupKeys],
  );
  return new Set(result.rows.map((r) => r.dedup_key));
}

export async function recordPublished(pool: Pool, events: readonly ClinicalEvent[], receiptId: string): Promise<void> {
  if (events.length === 0) return;
  await pool.query(
    `INSERT INTO ingest_published_events (dedup_key, event_id, event_type, correlation_id, receipt_id)
     SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::uuid[])
     ON CONFLICT (dedup_key) DO NOTHING`,
    [
      events.map((e) => e.dedupKey),
      events.map((e) => e.eventId),
      events.map((e) => e.type),
      events.map((e) => e.correlationId),
      events.map(() => receiptId),
    ],
  );
}
