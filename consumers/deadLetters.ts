/** Records a view could not decode or apply: kept with coordinates and error, listed, re-driven. I/O. */
import type { Pool, Tx } from '../platform/postgres.js';

export type DeadLetterRecord = {
  readonly view: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly eventId: string | null;
  readonly errorCode: string;
  readonly error: string;
  readonly attempts: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
};

export async function recordDeadLetters(tx: Tx, records: readonly DeadLetterRecord[]): Promise<void> {
  for (const r of records) {
    await tx.query(
      `INSERT INTO view_dead_letters (view, topic, partition, "offset", event_id, error_code, error, attempts, record_key, record_value)
       VALUES ($1::text, $2::text, $3::int, $4::bigint, $5::uuid, $6::text, $7::text, $8::int, $9::bytea, $10::bytea)
       ON CONFLICT (view, topic, partition, "offset") DO NOTHING`,
      [r.view, r.topic, r.partition, String(r.offset), r.eventId, r.errorCode, r.error, r.attempts, r.key, r.value],
    );
  }
}

export type DeadLetterRow = Omit<DeadLetterRecord, 'key' | 'value'> & {
  readonly id: number;
  readonly status: string;
  readonly deadLetteredAt: Date;
};

type Row = {
  dead_letter_id: string;
  view: string;
  topic: string;
  partition: number;
  offset: string;
  event_id: string | null;
  error_code: string;
  error: string;
  attempts: number;
  status: string;
  dead_lettered_at: Date;
};

export async function listDeadLetters(pool: Pool, view?: string): Promise<readonly DeadLetterRow[]> {
  const result = await pool.query<Row>(
    `SELECT dead_letter_id, view, topic, partition, "offset", event_id, error_code, error, attempts, status, dead_lettered_at
       FROM view_dead_letters WHERE ($1::text IS NULL OR view = $1::text) ORDER BY dead_letter_id`,
    [view ?? null],
  );
  return result.rows.map((r) => ({
    id: Number(r.dead_letter_id),
    view: r.view,
    topic: r.topic,
    partition: r.partition,
    offset: BigInt(r.offset),
    eventId: r.event_id,
    errorCode: r.error_code,
    error: r.error,
    attempts: r.attempts,
    status: r.status,
    deadLetteredAt: r.dead_lettered_at,
  }));
}

export async function readDeadLetter(
  pool: Pool,
  id: number,
): Promise<
  | {
      readonly view: string;
      readonly partition: number;
      readonly offset: bigint;
      readonly key: Buffer | null;
      readonly value: Buffer | null;
      readonly status: string;
    }
  | undefined
> {
  const result = await pool.query<{
    view: string;
    partition: number;
    offset: string;
    record_key: Buffer | null;
    record_value: Buffer | null;
    status: string;
  }>(
    `SELECT view, partition, "offset", record_key, record_value, status FROM view_dead_letters WHERE dead_letter_id = $1::bigint`,
    [id],
  );
  const row = result.rows[0];
  return row === undefined
    ? undefined
    : {
        view: row.view,
        partition: row.partition,
        offset: BigInt(row.offset),
        key: row.record_key,
        value: row.record_value,
        status: row.status,
      };
}

export async function markDeadLetterRedriven(tx: Tx | Pool, id: number, outcome: string): Promise<void> {
  await tx.query(
    `UPDATE view_dead_letters SET status = 'redriven', redriven_at = now(), redrive_outcome = $2::text WHERE dead_letter_id = $1::bigint`,
    [id, outcome],
  );
}
