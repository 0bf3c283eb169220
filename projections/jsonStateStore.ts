/**
 * The storage every view shares: one jsonb state per patient in the view's state table (read
 * back as the input of the next fold), plus, for views queried across patients, the rows the
 * state shows, rewritten for the patients a batch touched. Table names come from each view's
 * tables.ts (a rebuild passes its shadow names). I/O.
 */
import { quoteIdentifier, type Tx } from '../platform/postgres.js';
import type { ViewStore } from './liveView.js';
import type { LogPosition } from './projection.js';

export type RowsWriter<State> = (
  tx: Tx,
  changed: ReadonlyMap<string, { readonly state: State; readonly position: LogPosition }>,
) => Promise<void>;

export function jsonStateStore<State>(stateTable: string, writeRows?: RowsWriter<State>): ViewStore<State> {
  const table = quoteIdentifier(stateTable);
  return {
    async load(tx, nhsNumbers) {
      if (nhsNumbers.length === 0) return new Map();
      const result = await tx.query<{ nhs_number: string; state: State }>(
        `SELECT nhs_number, state FROM ${table} WHERE nhs_number = ANY($1::text[])`,
        [nhsNumbers],
      );
      return new Map(result.rows.map((r) => [r.nhs_number, r.state]));
    },
    async save(tx, changed) {
      if (changed.size === 0) return;
      // The states go as one JSON object keyed by NHS number, not as a jsonb[] array: node-pg
      // escapes an array literal and the server unescapes it element by element, which made
      // this statement ~3× slower with 6 KB states. json, not jsonb: jsonb caps a value at 256 MB.
      const states = Object.fromEntries([...changed].map(([nhsNumber, { state }]) => [nhsNumber, state]));
      await tx.query(
        `INSERT INTO ${table} (nhs_number, state)
         SELECT key, value::jsonb FROM json_each($1::json)
         ON CONFLICT (nhs_number) DO UPDATE SET state = EXCLUDED.state, updated_at = now()`,
        [JSON.stringify(states)],
      );
      await writeRows?.(tx, changed);
    },
  };
}

/**
 * Replaces the rows of the touched patients in a row table keyed by (nhs_number, <id>):
 * upserts the current rows (keeping `changed_*` when a row did not change, so a feed cursor
 * only moves on real changes) and deletes the rows a patient no longer has.
 *
 * With `trackChanges`, a changed row gets a feed position (`changed_partition`,
 * `changed_offset`, `changed_seq`) after every position already in its partition, in the
 * order the changes commit: the writers of a partition's rows take a transaction lock on it
 * (a live batch holds one partition anyway; a re-drive of a dead letter runs beside it), and
 * a position at or below the partition's highest (a re-driven event's own offset) becomes the
 * highest offset with the next seq. So a reader whose cursor names the last row it saw
 * (`projections/pharmacy-view/queries.ts`) never skips a change.
 */
export async function replacePatientRows(
  tx: Tx,
  options: {
    readonly table: string;
    readonly idColumn: string;
    readonly extraColumns: readonly { readonly name: string; readonly type: string }[];
    readonly rows: readonly {
      readonly nhsNumber: string;
      readonly id: string;
      readonly extras: readonly unknown[];
      readonly data: unknown;
      readonly position: LogPosition;
    }[];
    readonly patients: readonly string[];
    readonly trackChanges: boolean;
  },
): Promise<void> {
  const table = quoteIdentifier(options.table);
  const id = quoteIdentifier(options.idColumn);
  await tx.query(
    `DELETE FROM ${table} t
      WHERE t.nhs_number = ANY($1::text[])
        AND NOT EXISTS (SELECT 1 FROM unnest($2::text[], $3::text[]) AS k(n, i) WHERE k.n = t.nhs_number AND k.i = t.${id})`,
    [options.patients, options.rows.map((r) => r.nhsNumber), options.rows.map((r) => r.id)],
  );
  if (options.rows.length === 0) return;
  // The rows go as one JSON array, read back with their column types, not as one array per
  // column: a jsonb[] literal of row_data is unescaped element by element (see save above).
  const columns = [
    { name: 'nhs_number', type: 'text' },
    { name: options.idColumn, type: 'text' },
    ...options.extraColumns,
    { name: 'row_data', type: 'jsonb' },
    ...(options.trackChanges
      ? [
          { name: 'changed_partition', type: 'int' },
          { name: 'changed_offset', type: 'bigint' },
          { name: 'changed_seq', type: 'int' },
        ]
      : []),
  ];
  const feedPositionOf = options.trackChanges
    ? await lockFeedPartitions(
        tx,
        options.table,
        options.rows.map((r) => r.position.partition),
      )
    : undefined;
  const rows = options.rows.map((r) => {
    const row: Record<string, unknown> = { nhs_number: r.nhsNumber, [options.idColumn]: r.id, row_data: r.data };
    options.extraColumns.forEach((c, i) => {
      row[c.name] = r.extras[i] ?? null;
    });
    if (feedPositionOf !== undefined) {
      const position = feedPositionOf(r.position);
      row.changed_partition = r.position.partition;
      row.changed_offset = position.offset;
      row.changed_seq = position.seq;
    }
    return row;
  });
  const names = columns.map((c) => quoteIdentifier(c.name)).join(', ');
  const updates = columns
    .slice(2)
    .map((c) => `${quoteIdentifier(c.name)} = EXCLUDED.${quoteIdentifier(c.name)}`)
    .join(', ');
  await tx.query(
    `INSERT INTO ${table} (${names})
     SELECT ${names} FROM json_to_recordset($1::json) AS r(${columns.map((c) => `${quoteIdentifier(c.name)} ${c.type}`).join(', ')})
     ON CONFLICT (nhs_number, ${id}) DO UPDATE SET ${updates}
     WHERE ${table}.row_data IS DISTINCT FROM EXCLUDED.row_data OR ${table}.status IS DISTINCT FROM EXCLUDED.status`,
    [JSON.stringify(rows)],
  );
}

/** Where a feed's change goes within its partition: an offset, and a seq among the changes placed at that offset. */
export type FeedPosition = { readonly offset: string; readonly seq: number };

/**
 * Locks the partitions' feed positions in `table` for the rest of the transaction (in
 * partition order: no two writers wait on each other crosswise) and returns where a change
 * at a log position goes: at its own offset, seq 0, when that is above every position in the
 * partition; otherwise at the partition's highest offset with the next seq.
 */
export async function lockFeedPartitions(
  tx: Tx,
  table: string,
  partitions: readonly number[],
): Promise<(position: LogPosition) => FeedPosition> {
  const distinct = [...new Set(partitions)].sort((a, b) => a - b);
  for (const partition of distinct) {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1::text), $2::int)', [`feed:${table}`, partition]);
  }
  const result = await tx.query<{ partition: number; offset: string; seq: number }>(
    `SELECT p.partition, top.changed_offset AS offset, top.changed_seq AS seq
       FROM unnest($1::int[]) AS p(partition)
       CROSS JOIN LATERAL (
         SELECT t.changed_offset, t.changed_seq FROM ${quoteIdentifier(table)} t
          WHERE t.changed_partition = p.partition
          ORDER BY t.changed_offset DESC, t.changed_seq DESC LIMIT 1) AS top`,
    [distinct],
  );
  const highest = new Map(result.rows.map((r) => [r.partition, { offset: BigInt(r.offset), seq: r.seq }]));
  return (position) => {
    const top = highest.get(position.partition);
    if (top === undefined || BigInt(position.offset) > top.offset) return { offset: position.offset, seq: 0 };
    return { offset: String(top.offset), seq: top.seq + 1 };
  };
}

/** The columns that place a row in a feed: how it was written, not what the log says. */
export const FEED_POSITION_COLUMNS = ['changed_partition', 'changed_offset', 'changed_seq'] as const;

/**
 * When a rebuilt version of a row table replaces the live one (in the swap's transaction, with
 * the live writers fenced): a rebuilt row equal to the live row (every column but `updated_at`
 * and the feed position) takes the live row's feed position, so a reader's cursor from the
 * live version neither repeats it nor skips past anything; a row the rebuild changed (or
 * added) goes after every live position in its partition, so each reader sees it once.
 * Returns how many rows kept their place and how many moved after; a table without feed
 * positions is left alone.
 */
export async function carryFeedPositions(
  tx: Tx,
  tables: { readonly live: string; readonly rebuilt: string },
): Promise<{ readonly kept: number; readonly changed: number } | undefined> {
  const columns = await tx.query<{ name: string }>(
    `SELECT attname AS name FROM pg_attribute
      WHERE attrelid = $1::text::regclass AND attnum > 0 AND NOT attisdropped AND attname = ANY($2::text[])`,
    [quoteIdentifier(tables.live), FEED_POSITION_COLUMNS],
  );
  if (columns.rows.length !== FEED_POSITION_COLUMNS.length) return undefined;
  const key = await tx.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_index x
       JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = ANY(x.indkey)
      WHERE x.indrelid = $1::text::regclass AND x.indisprimary ORDER BY a.attnum`,
    [quoteIdentifier(tables.live)],
  );
  const live = quoteIdentifier(tables.live);
  const rebuilt = quoteIdentifier(tables.rebuilt);
  const sameKey = key.rows.map(({ name }) => `l.${quoteIdentifier(name)} = r.${quoteIdentifier(name)}`).join(' AND ');
  const content = (alias: string) => `(to_jsonb(${alias}) - $1::text[])`;
  const bookkeeping = ['updated_at', ...FEED_POSITION_COLUMNS];
  const kept = await tx.query(
    `UPDATE ${rebuilt} r
        SET changed_partition = l.changed_partition, changed_offset = l.changed_offset, changed_seq = l.changed_seq
       FROM ${live} l
      WHERE ${sameKey} AND ${content('l')} = ${content('r')}`,
    [bookkeeping],
  );
  const changed = await tx.query(
    `UPDATE ${rebuilt} r
        SET changed_offset = top.changed_offset, changed_seq = top.changed_seq + 1
       FROM (SELECT DISTINCT ON (changed_partition) changed_partition, changed_offset, changed_seq
               FROM ${live} ORDER BY changed_partition, changed_offset DESC, changed_seq DESC) top
      WHERE r.changed_partition = top.changed_partition
        AND NOT EXISTS (SELECT 1 FROM ${live} l WHERE ${sameKey} AND ${content('l')} = ${content('r')})`,
    [bookkeeping],
  );
  return { kept: kept.rowCount ?? 0, changed: changed.rowCount ?? 0 };
}
