/**
 * The pharmacy view's reads: orders across patients by status, and the feed of orders that
 * changed since a cursor. The cursor is the log position (partition → offset) of the last
 * change seen, never a database sequence, whose values commit out of order. I/O.
 */

import type { Pool } from '../../platform/postgres.js';
import { quoteIdentifier } from '../../platform/postgres.js';
import type { PharmacyOrderRow, PharmacyOrderStatus } from './rows.js';
import { type PharmacyViewTables, pharmacyViewTables } from './tables.js';

export type FeedCursor = Readonly<Record<string, string>>;

export function encodeCursor(cursor: FeedCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeCursor(text: string): FeedCursor | undefined {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const entries = Object.entries(value as Record<string, unknown>);
    if (!entries.every(([p, o]) => /^\d+$/.test(p) && typeof o === 'string' && /^\d+$/.test(o))) return undefined;
    return Object.fromEntries(entries) as FeedCursor;
  } catch {
    return undefined; // not a cursor this API issued
  }
}

type OrderRow = { row_data: PharmacyOrderRow; changed_partition: number; changed_offset: string };

export async function listOrders(
  pool: Pool,
  options: {
    readonly status?: PharmacyOrderStatus | undefined;
    readonly since?: FeedCursor | undefined;
    readonly limit: number;
  },
  tables: PharmacyViewTables = pharmacyViewTables,
): Promise<{ readonly orders: readonly PharmacyOrderRow[]; readonly cursor: FeedCursor }> {
  const since = options.since ?? {};
  const partitions = Object.keys(since).map(Number);
  const result = await pool.query<OrderRow>(
    `SELECT row_data, changed_partition, changed_offset FROM ${quoteIdentifier(tables.orders)} o
      WHERE ($1::text IS NULL OR o.status = $1::text)
        AND ($2::boolean = false OR o.changed_offset > COALESCE(
              (SELECT c.o FROM unnest($3::int[], $4::bigint[]) AS c(p, o) WHERE c.p = o.changed_partition), -1))
      ORDER BY changed_partition, changed_offset, nhs_number, order_id
      LIMIT $5::int`,
    [
      options.status ?? null,
      options.since !== undefined,
      partitions,
      partitions.map((p) => since[String(p)]),
      options.limit,
    ],
  );
  const cursor: Record<string, string> = { ...since };
  for (const row of result.rows) {
    const key = String(row.changed_partition);
    if (cursor[key] === undefined || BigInt(row.changed_offset) > BigInt(cursor[key] ?? '0'))
      cursor[key] = row.changed_offset;
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
