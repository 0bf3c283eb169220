/** What configuration each view was folded with (see migration 0007). I/O. */
import type { Pool } from '../platform/postgres.js';

/**
 * Records `foldVersion` for `view` unless one is recorded already; returns the recorded one.
 * A different answer means the view's rows were made with another configuration.
 */
export async function recordFoldVersion(pool: Pool, view: string, foldVersion: string): Promise<string> {
  await pool.query(
    `INSERT INTO view_fold_versions (view, fold_version) VALUES ($1::text, $2::text) ON CONFLICT (view) DO NOTHING`,
    [view, foldVersion],
  );
  const result = await pool.query<{ fold_version: string }>(
    'SELECT fold_version FROM view_fold_versions WHERE view = $1::text',
    [view],
  );
  return result.rows[0]?.fold_version ?? foldVersion;
}
