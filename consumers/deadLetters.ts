/**
 * The dead letters: records a view or index could not decode or apply, kept with their
 * coordinates, error and bytes; written by the view consumers, read by the operators' API and
 * CLI (metadata only: the record's bytes are patient data and leave the table only to be
 * re-driven), and marked when re-driven. I/O.
 */
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
      readonly status: DeadLetterStatus;
    }
  | undefined
> {
  const result = await pool.query<{
    view: string;
    partition: number;
    offset: string;
    record_key: Buffer | null;
    record_value: Buffer | null;
    status: DeadLetterStatus;
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

/** Unresolved dead letters (status `dead`) per view or index; views with none are absent. */
export async function countDeadLetters(pool: Pool): Promise<Readonly<Record<string, number>>> {
  const result = await pool.query<{ view: string; n: number }>(
    `SELECT view, count(*)::int AS n FROM view_dead_letters WHERE status = 'dead' GROUP BY view ORDER BY view`,
  );
  return Object.fromEntries(result.rows.map((r) => [r.view, r.n]));
}

export type DeadLetterStatus = 'dead' | 'redriven';

export type DeadLetterSummary = {
  readonly id: number;
  readonly view: string;
  readonly topic: string;
  readonly partition: number;
  /** Decimal, 64-bit. */
  readonly offset: string;
  readonly eventId: string | null;
  readonly errorCode: string;
  readonly error: string;
  readonly attempts: number;
  readonly status: DeadLetterStatus;
  readonly deadLetteredAt: string;
  readonly redrivenAt: string | null;
  readonly redriveOutcome: string | null;
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
  status: DeadLetterStatus;
  dead_lettered_at: Date;
  redriven_at: Date | null;
  redrive_outcome: string | null;
};

const COLUMNS = `dead_letter_id::text AS dead_letter_id, view, topic, partition, "offset"::text AS "offset",
  event_id::text AS event_id, error_code, error, attempts, status, dead_lettered_at, redriven_at, redrive_outcome`;

const summaryOf = (r: Row): DeadLetterSummary => ({
  id: Number(r.dead_letter_id),
  view: r.view,
  topic: r.topic,
  partition: r.partition,
  offset: r.offset,
  eventId: r.event_id,
  errorCode: r.error_code,
  error: r.error,
  attempts: r.attempts,
  status: r.status,
  deadLetteredAt: r.dead_lettered_at.toISOString(),
  redrivenAt: r.redriven_at?.toISOString() ?? null,
  redriveOutcome: r.redrive_outcome,
});

const PAGE = `
  SELECT ${COLUMNS} FROM view_dead_letters d
   WHERE ($1::text IS NULL OR view = $1::text)
     AND ($2::text IS NULL OR status = $2::text)
     AND d.dead_letter_id > $3::bigint
   ORDER BY d.dead_letter_id
   LIMIT $4::int`;

/** Dead letters after id `after` (0: from the first), oldest first; `status` undefined means both. */
export async function pageDeadLetters(
  pool: Pool,
  options: {
    readonly view?: string | undefined;
    readonly status?: DeadLetterStatus | undefined;
    readonly after: number;
    readonly limit: number;
  },
): Promise<readonly DeadLetterSummary[]> {
  const result = await pool.query<Row>(PAGE, [
    options.view ?? null,
    options.status ?? null,
    options.after,
    options.limit,
  ]);
  return result.rows.map(summaryOf);
}

export async function findDeadLetter(pool: Pool, id: number): Promise<DeadLetterSummary | undefined> {
  const result = await pool.query<Row>(`SELECT ${COLUMNS} FROM view_dead_letters WHERE dead_letter_id = $1::bigint`, [
    id,
  ]);
  const row = result.rows[0];
  return row === undefined ? undefined : summaryOf(row);
}

/** Every dead letter, of one view or of all, oldest first (the CLI's listing). */
export async function listDeadLetters(pool: Pool, view?: string): Promise<readonly DeadLetterSummary[]> {
  const result = await pool.query<Row>(
    `SELECT ${COLUMNS} FROM view_dead_letters WHERE ($1::text IS NULL OR view = $1::text) ORDER BY dead_letter_id`,
    [view ?? null],
  );
  return result.rows.map(summaryOf);
}
