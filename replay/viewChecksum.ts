/**
 * A checksum over a view version's rows, to show that a rebuild equals the live view: per
 * table, the md5 of the rows' md5s in sorted order (each row as jsonb text, whose key order
 * is fixed), and one md5 over the tables'. Left out are the columns that record how the rows
 * were written rather than what the log says: `updated_at`, and the pharmacy feed's
 * `changed_partition/offset/seq`, which a rebuild sets by its own batches until the swap
 * carries the live positions over (carryFeedPositions). I/O.
 */
import { createHash } from 'node:crypto';
import type { Pool, Tx } from '../platform/postgres.js';
import { quoteIdentifier } from '../platform/postgres.js';
import { FEED_POSITION_COLUMNS } from '../projections/jsonStateStore.js';
import type { ViewTables } from './rebuildableViews.js';

export const BOOKKEEPING_COLUMNS = ['updated_at', ...FEED_POSITION_COLUMNS] as const;

export type TableChecksum = {
  readonly key: string;
  readonly table: string;
  readonly rows: number;
  readonly md5: string;
};

export type ViewChecksum = { readonly md5: string; readonly rows: number; readonly tables: readonly TableChecksum[] };

async function tableChecksum(db: Pool | Tx, key: string, table: string): Promise<TableChecksum> {
  const result = await db.query<{ rows: number; md5: string }>(
    `SELECT count(*)::int AS rows, md5(coalesce(string_agg(h, '' ORDER BY h COLLATE "C"), '')) AS md5
       FROM (SELECT md5((to_jsonb(t) - $1::text[])::text) AS h FROM ${quoteIdentifier(table)} t) AS hashed`,
    [BOOKKEEPING_COLUMNS],
  );
  const row = result.rows[0] ?? { rows: 0, md5: '' };
  return { key, table, rows: row.rows, md5: row.md5 };
}

/** The checksum of the tables (by their key in tables.ts, so two versions of a view compare table by table). */
export async function viewChecksum(db: Pool | Tx, tables: ViewTables): Promise<ViewChecksum> {
  const byKey = Object.entries(tables).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const perTable: TableChecksum[] = [];
  for (const [key, table] of byKey) perTable.push(await tableChecksum(db, key, table));
  const md5 = createHash('md5')
    .update(perTable.map((t) => `${t.key}:${t.md5}`).join('\n'))
    .digest('hex');
  return { md5, rows: perTable.reduce((sum, t) => sum + t.rows, 0), tables: perTable };
}
