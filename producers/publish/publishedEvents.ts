/**
 * Whether the dedup records of published facts (kept by ../ingest/ingestLedger.ts, a key only
 * after Kafka acknowledged its event) belong to the log ingest is about to write to. I/O.
 */
import { fetchPartitionOffsets, type Kafka } from '../../platform/kafka.js';
import type { Pool } from '../../platform/postgres.js';

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
