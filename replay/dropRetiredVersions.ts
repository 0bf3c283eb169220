/**
 * Drops a view's retired versions: their tables and their progress (stored offsets and
 * processed events under `<view>@v<N>`), in one transaction. Their dead letters stay, as the
 * record of what that version could not apply. The view_versions rows stay too, marked
 * dropped, so version numbers are never reused. I/O.
 */
import { type Pool, quoteIdentifier, withTransaction } from '../platform/postgres.js';
import type { RebuildableView } from './rebuildableViews.js';
import { progressNameOf, versionTablesOf } from './versionNames.js';
import { readViewVersions } from './viewVersions.js';

export type DroppedVersion = { readonly version: number; readonly tables: readonly string[] };

export function dropRetiredVersions(pool: Pool, view: RebuildableView): Promise<readonly DroppedVersion[]> {
  return withTransaction(pool, async (tx) => {
    const retired = (await readViewVersions(tx, view.name, { forUpdate: true })).filter((v) => v.status === 'retired');
    const dropped: DroppedVersion[] = [];
    for (const { version } of retired) {
      // The names come from tables.ts, never from the row: a damaged row cannot name a live table.
      const tables = Object.values(versionTablesOf(view.tables, version));
      await tx.query(`DROP TABLE IF EXISTS ${tables.map(quoteIdentifier).join(', ')}`);
      const progress = progressNameOf(view.name, version);
      await tx.query('DELETE FROM view_stored_offsets WHERE view = $1::text', [progress]);
      await tx.query('DELETE FROM view_processed_events WHERE view = $1::text', [progress]);
      await tx.query('DELETE FROM view_fold_versions WHERE view = $1::text', [progress]);
      await tx.query(
        `UPDATE view_versions SET status = 'dropped', dropped_at = now() WHERE view = $1::text AND version = $2::int`,
        [view.name, version],
      );
      dropped.push({ version, tables });
    }
    return dropped;
  });
}
