/**
 * A view version's tables: created `LIKE` the live ones (columns, defaults, constraints and
 * indexes), and renamed with their indexes when versions swap. Indexes keep the migrations'
 * names on the live tables (and `<index>__v<N>` elsewhere), so a later migration that names
 * an index finds it whichever version is live. The only dynamic identifiers in the project's
 * SQL are these table and index names, all built from tables.ts and quoted. I/O.
 */

import type { Tx } from '../platform/postgres.js';
import { quoteIdentifier } from '../platform/postgres.js';
import type { ViewTables } from './rebuildableViews.js';
import { versionedName } from './versionNames.js';

type TableIndex = { readonly name: string; readonly shape: string };

/**
 * The table's indexes, each with its shape: the definition without the index's and the
 * table's names (`UNIQUE USING btree (nhs_number)`), which is what LIKE copies.
 */
async function indexesOf(tx: Tx, table: string): Promise<readonly TableIndex[]> {
  const result = await tx.query<{ name: string; shape: string }>(
    `SELECT c.relname AS name,
            CASE WHEN x.indisprimary THEN 'PRIMARY ' WHEN x.indisunique THEN 'UNIQUE ' ELSE '' END
              || regexp_replace(pg_get_indexdef(x.indexrelid), '^CREATE (UNIQUE )?INDEX \\S+ ON (ONLY )?\\S+ ', '') AS shape
       FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
      WHERE x.indrelid = $1::text::regclass
      ORDER BY c.relname`,
    [quoteIdentifier(table)],
  );
  return result.rows;
}

async function renameIndex(tx: Tx, from: string, to: string): Promise<void> {
  // Renaming the index of a primary key or unique constraint renames the constraint as well.
  await tx.query(`ALTER INDEX ${quoteIdentifier(from)} RENAME TO ${quoteIdentifier(to)}`);
}

/** Creates version `version`'s empty tables like the live ones, each index named `<live index>__v<version>`. */
export async function createShadowTables(tx: Tx, live: ViewTables, version: number): Promise<void> {
  for (const table of Object.values(live)) {
    const shadow = versionedName(table, version);
    await tx.query(`CREATE TABLE ${quoteIdentifier(shadow)} (LIKE ${quoteIdentifier(table)} INCLUDING ALL)`);
    const unmatched = [...(await indexesOf(tx, shadow))];
    for (const index of await indexesOf(tx, table)) {
      const at = unmatched.findIndex((candidate) => candidate.shape === index.shape);
      const copy = unmatched.splice(at, 1)[0];
      if (at < 0 || copy === undefined) throw new Error(`${shadow}: no copy of index ${index.name} (${index.shape})`);
      await renameIndex(tx, copy.name, versionedName(index.name, version));
    }
  }
}

/** Renames a table and each of its indexes (`indexName` maps an index's current name to its new one). */
export async function renameTableWithIndexes(
  tx: Tx,
  table: string,
  to: string,
  indexName: (current: string) => string,
): Promise<void> {
  for (const index of await indexesOf(tx, table)) {
    const renamed = indexName(index.name);
    if (renamed !== index.name) await renameIndex(tx, index.name, renamed);
  }
  await tx.query(`ALTER TABLE ${quoteIdentifier(table)} RENAME TO ${quoteIdentifier(to)}`);
}
