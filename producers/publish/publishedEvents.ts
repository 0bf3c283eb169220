/**
 * Which facts the adapters have published, by dedup key. A key is recorded only after Kafka
 * acknowledged its event, so a crash in between re-publishes (harmless) rather than loses. I/O.
 */
import { fetchPartitionOffsets, type Kafka } from '../../platform/kafka.js';
import type { Pool } from '../../platform/postgres.js';
import type { ClinicalEvent } from '../../schemas/generated/events.js';

/**
 * The dedup records remember more events than the log holds: the topic was recreated or
 * truncated (or the database served another log). Resends of those messages would be
 * answered as duplicates and their events never reach the log again, so ingest does not start.
 */
export class LogBehindDedupError extends Error {
  readonly code = 'CEL_ERR_LOG_BEHIND_DEDUP';
  readonly retriable = false;
  constructor(
    readonly topic: string,
    readonly published: number,
    readonly records: bigint,
  ) {
    super(
      `the database records ${published} events as published, but ${topic} holds ${records} records: the topic was recreated or truncated, or this database served another log. ` +
        'Resends of those messages would be taken as duplicates and lost. Point TOPIC_NAMESPACE (and KAFKA_BROKERS) at the log this database belongs to, or start the new log with a new database (DATABASE_URL)',
    );
    this.name = 'LogBehindDedupError';
  }
}

/**
 * Every published event is at least one record on the canonical topic, which keeps every
 * record (retention -1, no compaction): fewer records than published events means the log is
 * not the one the dedup records describe.
 */
export async function checkLogHoldsPublished(pool: Pool, kafka: Kafka, topic: string): Promise<void> {
  const count = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM ingest_published_events');
  const published = count.rows[0]?.n ?? 0;
  if (published === 0) return;
  const records = (await fetchPartitionOffsets(kafka, topic)).reduce((sum, p) => sum + p.high, 0n);
  if (BigInt(published) > records) throw new LogBehindDedupError(topic, published, records);
}

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
