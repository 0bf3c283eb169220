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
        ]
      : []),
  ];
  const rows = options.rows.map((r) => {
    const row: Record<string, unknown> = { nhs_number: r.nhsNumber, [options.idColumn]: r.id, row_data: r.data };
    options.extraColumns.forEach((c, i) => {
      row[c.name] = r.extras[i] ?? null;
    });
    if (options.trackChanges) {
      row.changed_partition = r.position.partition;
      row.changed_offset = r.position.offset;
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
