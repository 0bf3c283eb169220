/** A view's progress per partition, stored with its rows and advanced by compare-and-set. I/O. */
import type { Pool, Tx } from '../platform/postgres.js';
import { HoldPlacedError, PartitionOwnershipLostError } from './consumerErrors.js';

/** pg returns BIGINT as a string; offsets are bigint inside the code. */
export const toOffset = (value: string | number | bigint): bigint => BigInt(value);

/** Creates the rows of partitions the view has never seen, starting at the partition's first offset. */
export async function initStoredOffsets(
  pool: Pool,
  view: string,
  topic: string,
  earliest: ReadonlyMap<number, bigint>,
): Promise<void> {
  await pool.query(
    `INSERT INTO view_stored_offsets (view, topic, partition, next_offset)
     SELECT $1::text, $2::text, p, o FROM unnest($3::int[], $4::bigint[]) AS t(p, o)
     ON CONFLICT (view, topic, partition) DO NOTHING`,
    [view, topic, [...earliest.keys()], [...earliest.values()].map(String)],
  );
}

export async function readStoredOffsets(
  pool: Pool | Tx,
  view: string,
  topic: string,
): Promise<ReadonlyMap<number, bigint>> {
  const result = await pool.query<{ partition: number; next_offset: string }>(
    'SELECT partition, next_offset FROM view_stored_offsets WHERE view = $1::text AND topic = $2::text',
    [view, topic],
  );
  return new Map(result.rows.map((r) => [r.partition, toOffset(r.next_offset)]));
}

/** Where a partition stands: the next offset to apply, and the hold on it while one is in force. */
export type StoredPosition = { readonly next: bigint; readonly holdBefore: bigint | undefined };

export async function readStoredPosition(
  tx: Tx,
  view: string,
  topic: string,
  partition: number,
): Promise<StoredPosition | undefined> {
  const result = await tx.query<{ next_offset: string; hold_before: string | null }>(
    `SELECT next_offset, CASE WHEN hold_until > now() THEN hold_before END AS hold_before
       FROM view_stored_offsets WHERE view = $1::text AND topic = $2::text AND partition = $3::int`,
    [view, topic, partition],
  );
  const row = result.rows[0];
  if (row === undefined) return undefined;
  return {
    next: toOffset(row.next_offset),
    holdBefore: row.hold_before === null ? undefined : toOffset(row.hold_before),
  };
}

/**
 * Holds the progress of `views` at `before` (per partition) for `forMs`: their consumers apply
 * nothing at or after those offsets until the hold is renewed, released or expires. Holding
 * again renews it.
 */
export async function holdStoredOffsets(
  pool: Pool | Tx,
  views: readonly string[],
  topic: string,
  before: ReadonlyMap<number, bigint>,
  forMs: number,
): Promise<void> {
  await pool.query(
    `UPDATE view_stored_offsets AS s
        SET hold_before = h.o, hold_until = now() + make_interval(secs => $5::double precision / 1000)
       FROM unnest($3::int[], $4::bigint[]) AS h(p, o)
      WHERE s.view = ANY($1::text[]) AND s.topic = $2::text AND s.partition = h.p`,
    [views, topic, [...before.keys()], [...before.values()].map(String), forMs],
  );
}

/** Extends the holds still in place on the progress of `views` by `forMs` from now; a lifted hold stays lifted. */
export async function renewStoredOffsetHolds(
  pool: Pool | Tx,
  views: readonly string[],
  topic: string,
  forMs: number,
): Promise<void> {
  await pool.query(
    `UPDATE view_stored_offsets SET hold_until = now() + make_interval(secs => $3::double precision / 1000)
      WHERE view = ANY($1::text[]) AND topic = $2::text AND hold_before IS NOT NULL`,
    [views, topic, forMs],
  );
}

/** The views among `views` with a hold in force, and until when. */
export async function readHolds(pool: Pool | Tx, views: readonly string[]): Promise<ReadonlyMap<string, Date>> {
  const result = await pool.query<{ view: string; until: Date }>(
    `SELECT view, max(hold_until) AS until FROM view_stored_offsets
      WHERE view = ANY($1::text[]) AND hold_before IS NOT NULL AND hold_until > now() GROUP BY view`,
    [views],
  );
  return new Map(result.rows.map((r) => [r.view, r.until]));
}

/** Lifts every hold on the progress of `views`. */
export async function releaseStoredOffsets(pool: Pool | Tx, views: readonly string[], topic: string): Promise<void> {
  await pool.query(
    `UPDATE view_stored_offsets SET hold_before = NULL, hold_until = NULL
      WHERE view = ANY($1::text[]) AND topic = $2::text AND hold_before IS NOT NULL`,
    [views, topic],
  );
}

/**
 * Moves the stored next offset from `from` to `to` only if it is still `from` and no hold in
 * force stops short of `to`. Zero rows means either another instance owns the partition now,
 * or a hold was placed while the batch ran: the whole batch must roll back.
 */
export async function advanceStoredOffset(
  tx: Tx,
  view: string,
  topic: string,
  partition: number,
  move: { readonly from: bigint; readonly to: bigint },
): Promise<void> {
  const result = await tx.query(
    `UPDATE view_stored_offsets SET next_offset = $5::bigint, updated_at = now()
      WHERE view = $1::text AND topic = $2::text AND partition = $3::int AND next_offset = $4::bigint
        AND (hold_before IS NULL OR hold_until <= now() OR hold_before >= $5::bigint)`,
    [view, topic, partition, String(move.from), String(move.to)],
  );
  if (result.rowCount === 1) return;
  const now = await readStoredPosition(tx, view, topic, partition);
  if (now?.next === move.from && now.holdBefore !== undefined) throw new HoldPlacedError(view, topic, partition);
  throw new PartitionOwnershipLostError(view, topic, partition, move.from);
}
