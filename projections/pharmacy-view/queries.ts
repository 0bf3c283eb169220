/**
 * The pharmacy view's reads: orders across patients by status, and the feed of orders that
 * changed since a cursor. A row's feed position is the log position of the change that last
 * changed it (`changed_partition`, `changed_offset`, `changed_seq`; see jsonStateStore.ts),
 * never a database sequence, whose values commit out of order; the feed's order adds the row's
 * key, so it is total and the cursor names the last row seen (feedCursor.ts). I/O.
 */

import type { Pool } from '../../platform/postgres.js';
import { quoteIdentifier } from '../../platform/postgres.js';
import type { FeedCursor, FeedMark } from './feedCursor.js';
import type { PharmacyOrderRow, PharmacyOrderStatus } from './rows.js';
import { type PharmacyViewTables, pharmacyViewTables } from './tables.js';

export { encodeCursor, type FeedCursor, parseFeedCursor } from './feedCursor.js';

type OrderRow = {
  row_data: PharmacyOrderRow;
  changed_partition: number;
  changed_offset: string;
  changed_seq: number;
  nhs_number: string;
  order_id: string;
};

/**
 * One page of the orders (with `status`, if given) after the cursor, in feed order: by
 * partition, then position, then NHS number and order id (byte order). The cursor returned
 * names, per partition, the last row of the page, so the next page starts right after it.
 */
export async function listOrders(
  pool: Pool,
  options: {
    readonly status?: PharmacyOrderStatus | undefined;
    readonly since?: FeedCursor | undefined;
    readonly limit: number;
  },
  tables: PharmacyViewTables = pharmacyViewTables,
): Promise<{ readonly orders: readonly PharmacyOrderRow[]; readonly cursor: FeedCursor }> {
  const table = quoteIdentifier(tables.orders);
  const since = [...(options.since ?? new Map<number, FeedMark>())];
  // Where the reader stands in each partition: unmarked partitions start before every row; a
  // mark without a row (a version 1 cursor: every row at its offset and seq seen) sorts after
  // them, its NHS number being '~', which follows every digit in byte order.
  const after = `(COALESCE(c.off, -1), COALESCE(c.seq, 0), COALESCE(c.nhs, '')::bpchar COLLATE "C", COALESCE(c.oid, '') COLLATE "C")`;
  const position = (t: string) =>
    `${t}.changed_offset, ${t}.changed_seq, ${t}.nhs_number COLLATE "C", ${t}.order_id COLLATE "C"`;
  const marks = 'unnest($1::int[], $2::bigint[], $3::int[], $4::text[], $5::text[]) AS c(p, off, seq, nhs, oid)';
  // Without a status: per partition (found by a loose scan of the feed index), one index range
  // scan from the reader's mark, so a page costs its rows, not the rows already read. With a
  // status (active orders are few among many ended ones): its rows after the marks, sorted.
  const sql =
    options.status === undefined
      ? `WITH RECURSIVE partitions(p) AS (
           SELECT min(changed_partition) FROM ${table}
           UNION ALL
           SELECT (SELECT min(changed_partition) FROM ${table} WHERE changed_partition > partitions.p)
             FROM partitions WHERE partitions.p IS NOT NULL)
         SELECT o.row_data, o.changed_partition, o.changed_offset, o.changed_seq, o.nhs_number, o.order_id
           FROM partitions
           LEFT JOIN ${marks} ON c.p = partitions.p
          CROSS JOIN LATERAL (
            SELECT * FROM ${table} t
             WHERE t.changed_partition = partitions.p AND (${position('t')}) > ${after}
             ORDER BY ${position('t')}
             LIMIT $6::int) o
          WHERE partitions.p IS NOT NULL
          ORDER BY o.changed_partition, ${position('o')}
          LIMIT $6::int`
      : `SELECT o.row_data, o.changed_partition, o.changed_offset, o.changed_seq, o.nhs_number, o.order_id
           FROM ${table} o
           LEFT JOIN ${marks} ON c.p = o.changed_partition
          WHERE o.status = $7::text AND (${position('o')}) > ${after}
          ORDER BY o.changed_partition, ${position('o')}
          LIMIT $6::int`;
  const result = await pool.query<OrderRow>(sql, [
    since.map(([p]) => p),
    since.map(([, m]) => String(m.offset)),
    since.map(([, m]) => m.seq),
    since.map(([, m]) => m.row?.nhsNumber ?? '~'),
    since.map(([, m]) => m.row?.orderId ?? ''),
    options.limit,
    ...(options.status === undefined ? [] : [options.status]),
  ]);
  const cursor = new Map(since);
  for (const row of result.rows) {
    cursor.set(row.changed_partition, {
      offset: BigInt(row.changed_offset),
      seq: row.changed_seq,
      row: { nhsNumber: row.nhs_number, orderId: row.order_id },
    });
  }
  return { orders: result.rows.map((r) => r.row_data), cursor };
}

export async function ordersOfPatient(pool: Pool, nhsNumber: string, tables: PharmacyViewTables = pharmacyViewTables) {
  const result = await pool.query<{ row_data: PharmacyOrderRow }>(
    `SELECT row_data FROM ${quoteIdentifier(tables.orders)} WHERE nhs_number = $1::text ORDER BY order_id`,
    [nhsNumber],
  );
  return result.rows.map((r) => r.row_data);
}
