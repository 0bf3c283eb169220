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
  const since = [...(options.since ?? new Map<number, FeedMark>())];
  // A mark without a row (a version 1 cursor) means every row at its offset and seq was seen.
  const result = await pool.query<OrderRow>(
    `SELECT o.row_data, o.changed_partition, o.changed_offset, o.changed_seq, o.nhs_number, o.order_id
       FROM ${quoteIdentifier(tables.orders)} o
       LEFT JOIN unnest($2::int[], $3::bigint[], $4::int[], $5::text[], $6::text[]) AS c(p, off, seq, nhs, oid)
         ON c.p = o.changed_partition
      WHERE ($1::text IS NULL OR o.status = $1::text)
        AND (c.p IS NULL
             OR (o.changed_offset, o.changed_seq) > (c.off, c.seq)
             OR ((o.changed_offset, o.changed_seq) = (c.off, c.seq) AND c.nhs IS NOT NULL
                 AND (o.nhs_number::text COLLATE "C", o.order_id COLLATE "C") > (c.nhs COLLATE "C", c.oid COLLATE "C")))
      ORDER BY o.changed_partition, o.changed_offset, o.changed_seq, o.nhs_number COLLATE "C", o.order_id COLLATE "C"
      LIMIT $7::int`,
    [
      options.status ?? null,
      since.map(([p]) => p),
      since.map(([, m]) => String(m.offset)),
      since.map(([, m]) => m.seq),
      since.map(([, m]) => m.row?.nhsNumber ?? null),
      since.map(([, m]) => m.row?.orderId ?? null),
      options.limit,
    ],
  );
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
