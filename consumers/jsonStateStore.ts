/**
 * The storage every view shares: one jsonb state per patient in the view's state table (read
 * back as the input of the next fold), plus, for views queried across patients, the rows the
 * state shows, rewritten for the patients a batch touched. Table names come from each view's
 * tables.ts (a rebuild passes its shadow names). I/O.
 */
import type { Tx } from '../platform/postgres.js';
import type { LogPosition } from '../projections/projection.js';
import type { ViewStore } from './liveView.js';

export const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;

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
      await tx.query(
        `INSERT INTO ${table} (nhs_number, state)
         SELECT * FROM unnest($1::text[], $2::jsonb[])
         ON CONFLICT (nhs_number) DO UPDATE SET state = EXCLUDED.state, updated_at = now()`,
        [[...changed.keys()], [...changed.values()].map((c) => JSON.stringify(c.state))],
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
  const extras = options.extraColumns;
  const columns = [
    'nhs_number',
    options.idColumn,
    ...extras.map((c) => c.name),
    'row_data',
    ...(options.trackChanges ? ['changed_partition', 'changed_offset'] : []),
  ];
  const params: unknown[] = [
    options.rows.map((r) => r.nhsNumber),
    options.rows.map((r) => r.id),
    ...extras.map((_, i) => options.rows.map((r) => r.extras[i] ?? null)),
    options.rows.map((r) => JSON.stringify(r.data)),
  ];
  const types = ['text[]', 'text[]', ...extras.map((c) => `${c.type}[]`), 'jsonb[]'];
  if (options.trackChanges) {
    params.push(
      options.rows.map((r) => r.position.partition),
      options.rows.map((r) => r.position.offset),
    );
    types.push('int[]', 'bigint[]');
  }
  const updates = columns
    .slice(2)
    .map((c) => `${quoteIdentifier(c)} = EXCLUDED.${quoteIdentifier(c)}`)
    .join(', ');
  await tx.query(
    `INSERT INTO ${table} (${columns.map(quoteIdentifier).join(', ')})
     SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}`).join(', ')})
     ON CONFLICT (nhs_number, ${id}) DO UPDATE SET ${updates}
     WHERE ${table}.row_data IS DISTINCT FROM EXCLUDED.row_data OR ${table}.status IS DISTINCT FROM EXCLUDED.status`,
    params,
  );
}
