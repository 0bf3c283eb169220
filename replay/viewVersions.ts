/**
 * The versions of a view (view_versions): reading them, and starting a rebuild — resuming the
 * version being built, or creating the next one with its shadow tables. I/O.
 */
import { type Pool, type Tx, withTransaction } from '../platform/postgres.js';
import type { RebuildableView, ViewTables } from './rebuildableViews.js';
import { createShadowTables } from './shadowTables.js';
import { versionTablesOf } from './versionNames.js';

export type VersionStatus = 'building' | 'live' | 'retired' | 'dropped';

export type ViewVersion = {
  readonly view: string;
  readonly version: number;
  readonly status: VersionStatus;
  readonly startedAt: Date;
  readonly swappedAt: Date | null;
};

type VersionRow = {
  view: string;
  version: number;
  status: VersionStatus;
  started_at: Date;
  swapped_at: Date | null;
};

const toVersion = (r: VersionRow): ViewVersion => ({
  view: r.view,
  version: r.version,
  status: r.status,
  startedAt: r.started_at,
  swappedAt: r.swapped_at,
});

/** The view's versions, oldest first. `forUpdate` locks them for the rest of the transaction. */
export async function readViewVersions(
  db: Pool | Tx,
  view: string,
  options: { readonly forUpdate?: boolean } = {},
): Promise<readonly ViewVersion[]> {
  const result = await db.query<VersionRow>(
    `SELECT view, version, status, started_at, swapped_at FROM view_versions
      WHERE view = $1::text ORDER BY version${options.forUpdate === true ? ' FOR UPDATE' : ''}`,
    [view],
  );
  return result.rows.map(toVersion);
}

export type StartedVersion = {
  /** The version being built, and its tables while it is. */
  readonly version: number;
  readonly tables: ViewTables;
  /** The version it will replace. */
  readonly liveVersion: number;
  /** True when an interrupted rebuild of this version is resumed. */
  readonly resumed: boolean;
};

/**
 * Resumes the version being built, if there is one; else records the live tables as the
 * live version (1, the first time) and creates the next version, with its shadow tables, in
 * the same transaction — an interruption leaves either both or neither.
 */
export function startViewVersion(pool: Pool, view: RebuildableView): Promise<StartedVersion> {
  return withTransaction(pool, async (tx) => {
    // Serialises two starts of the same view; view_versions may still be empty, so no row to lock.
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('cel:view_versions:' || $1::text))`, [view.name]);
    const versions = await readViewVersions(tx, view.name, { forUpdate: true });
    let live = versions.find((v) => v.status === 'live')?.version;
    if (live === undefined) {
      live = Math.max(0, ...versions.map((v) => v.version)) + 1;
      await tx.query(
        `INSERT INTO view_versions (view, version, status, tables) VALUES ($1::text, $2::int, 'live', $3::jsonb)`,
        [view.name, live, JSON.stringify(view.tables)],
      );
    }
    const building = versions.find((v) => v.status === 'building');
    if (building !== undefined) {
      return {
        version: building.version,
        tables: versionTablesOf(view.tables, building.version),
        liveVersion: live,
        resumed: true,
      };
    }
    const version = Math.max(live, ...versions.map((v) => v.version)) + 1;
    const tables = versionTablesOf(view.tables, version);
    await createShadowTables(tx, view.tables, version);
    await tx.query(
      `INSERT INTO view_versions (view, version, status, tables) VALUES ($1::text, $2::int, 'building', $3::jsonb)`,
      [view.name, version, JSON.stringify(tables)],
    );
    return { version, tables, liveVersion: live, resumed: false };
  });
}
