/** A view's progress per partition, stored with its rows and advanced by compare-and-set. I/O. */
import type { Pool, Tx } from '../platform/postgres.js';
import { PartitionOwnershipLostError } from './consumerErrors.js';

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

export async function readStoredNextOffset(
  tx: Tx,
  view: string,
  topic: string,
  partition: number,
): Promise<bigint | undefined> {
  const result = await tx.query<{ next_offset: string }>(
    'SELECT next_offset FROM view_stored_offsets WHERE view = $1::text AND topic = $2::text AND partition = $3::int',
    [view, topic, partition],
  );
  const row = result.rows[0];
  return row === undefined ? undefined : toOffset(row.next_offset);
}

/**
 * Moves the stored next offset from `from` to `to` only if it is still `from`. Zero rows
 * means another instance owns the partition now: the whole batch must roll back.
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
      WHERE view = $1::text AND topic = $2::text AND partition = $3::int AND next_offset = $4::bigint`,
    [view, topic, partition, String(move.from), String(move.to)],
  );
  if (result.rowCount !== 1) throw new PartitionOwnershipLostError(view, topic, partition, move.from);
}
