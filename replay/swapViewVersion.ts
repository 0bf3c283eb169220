/**
 * The swap: in ONE transaction, the live version's tables become `<table>__v<M>` (retired)
 * and the rebuilt version's become the live names, and the progress moves with the rows —
 * the rebuilt version's stored offsets, processed events and dead letters become the view's,
 * the old ones are kept under `<view>@v<M>`. Readers and the live consumer see the old
 * version or the new one, never a mix. I/O.
 *
 * Fencing the live consumer: every batch that writes a view inserts into the processed
 * events first, so the swap's first lock (SHARE ROW EXCLUSIVE on processed events and dead
 * letters) waits for the batches in flight, of every view, and holds new ones at their first
 * write. The live batch takes its locks in that order (processed events, view tables, dead
 * letters, stored offsets) and the swap takes the rest afterwards, so the two cannot deadlock.
 * A live batch held there goes on after COMMIT against the new version: its stored-offset
 * compare-and-set (from the offset it read before the swap) fails unless the new stored
 * offset is the same, so it rolls back and its next batch starts from the new stored offsets
 * — nothing is lost or applied twice. The checksums (the slow part: every row of both
 * versions) are taken before, by compareVersions, in one read-only snapshot; the swap itself
 * goes ahead (unless forced) only if both versions have applied the same offsets when it locks
 * them. With no writer left, the progress moves and the feed positions are carried over
 * (carryFeedPositions) before the view's tables are locked, so readers wait only for the renames.
 */

import { readStoredOffsets, releaseStoredOffsets } from '../consumers/storedOffsets.js';
import { type Pool, quoteIdentifier, type Tx, withSnapshot, withTransaction } from '../platform/postgres.js';
import { carryFeedPositions } from '../projections/jsonStateStore.js';
import type { RebuildableView, ViewTables } from './rebuildableViews.js';
import { type Offsets, sameOffsets } from './rebuildProgress.js';
import { renameTableWithIndexes } from './shadowTables.js';
import { progressNameOf, versionedName, versionTablesOf } from './versionNames.js';
import { type ViewChecksum, viewChecksum } from './viewChecksum.js';
import { readViewVersions } from './viewVersions.js';

export type SwapPlan = {
  readonly view: RebuildableView;
  readonly topic: string;
  /** The version being replaced, and the one replacing it. */
  readonly liveVersion: number;
  readonly version: number;
  /** Swap only if both versions have applied exactly the same offsets when the swap locks them. */
  readonly requireSameOffsets: boolean;
};

export type SwappedSide = { readonly version: number; readonly offsets: Offsets; readonly checksum: ViewChecksum };

/** Both versions' checksums, from one snapshot, with the offsets each had applied in it. */
export type ComparedVersions = { readonly live: SwappedSide; readonly rebuilt: SwappedSide };

export type SwapOutcome =
  | {
      readonly kind: 'swapped';
      /** The comparison made before the swap. */
      readonly compared: ComparedVersions;
      /** The offsets each version had applied at the swap (equal unless the swap was forced). */
      readonly swappedAt: { readonly live: Offsets; readonly rebuilt: Offsets };
      /** The replaced version's tables, as now named. */
      readonly retiredTables: ViewTables;
    }
  | { readonly kind: 'offsets-differ'; readonly liveOffsets: Offsets; readonly rebuiltOffsets: Offsets };

export class VersionNotBuildingError extends Error {
  readonly code = 'CEL_ERR_VERSION_NOT_BUILDING';
  readonly retriable = false;
  constructor(
    readonly view: string,
    readonly version: number,
  ) {
    super(`${view} v${version} is no longer being built (another rebuild swapped it in?); see view_versions`);
    this.name = 'VersionNotBuildingError';
  }
}

/**
 * The checksums of both versions (the slow part: every row of both), from one read-only
 * snapshot and without locks. `onSnapshot` runs as soon as the snapshot is fixed: whatever
 * holds kept the two versions at the same offsets can be lifted then.
 */
export async function compareVersions(
  pool: Pool,
  plan: Omit<SwapPlan, 'requireSameOffsets'>,
  onSnapshot?: () => Promise<void>,
): Promise<ComparedVersions> {
  const { view, topic, liveVersion, version } = plan;
  return withSnapshot(pool, async (tx) => {
    const liveOffsets = await readStoredOffsets(tx, view.name, topic);
    const rebuiltOffsets = await readStoredOffsets(tx, progressNameOf(view.name, version), topic);
    await onSnapshot?.();
    return {
      live: { version: liveVersion, offsets: liveOffsets, checksum: await viewChecksum(tx, view.tables) },
      rebuilt: {
        version,
        offsets: rebuiltOffsets,
        checksum: await viewChecksum(tx, versionTablesOf(view.tables, version)),
      },
    };
  });
}

async function lockStoredOffsets(tx: Tx, progressName: string, topic: string): Promise<Offsets> {
  const result = await tx.query<{ partition: number; next_offset: string }>(
    `SELECT partition, next_offset FROM view_stored_offsets
      WHERE view = $1::text AND topic = $2::text ORDER BY partition FOR UPDATE`,
    [progressName, topic],
  );
  return new Map(result.rows.map((r) => [r.partition, BigInt(r.next_offset)]));
}

/** Renames one version's progress (every topic's stored offsets, its processed events, dead letters and fold version). */
async function moveProgress(tx: Tx, from: string, to: string): Promise<void> {
  const params = [from, to];
  await tx.query('UPDATE view_stored_offsets SET view = $2::text, updated_at = now() WHERE view = $1::text', params);
  await tx.query('UPDATE view_processed_events SET view = $2::text WHERE view = $1::text', params);
  await tx.query('UPDATE view_dead_letters SET view = $2::text WHERE view = $1::text', params);
  await tx.query('UPDATE view_fold_versions SET view = $2::text WHERE view = $1::text', params);
}

export async function swapViewVersion(pool: Pool, plan: SwapPlan, compared: ComparedVersions): Promise<SwapOutcome> {
  const { view, topic, liveVersion, version } = plan;
  const live = view.tables;
  const building = versionTablesOf(live, version);
  const retired = versionTablesOf(live, liveVersion);
  const buildingProgress = progressNameOf(view.name, version);
  return withTransaction(pool, async (tx) => {
    await tx.query('LOCK TABLE view_processed_events, view_dead_letters IN SHARE ROW EXCLUSIVE MODE');
    const versions = await readViewVersions(tx, view.name, { forUpdate: true });
    const isStill = (v: number, status: string) => versions.some((x) => x.version === v && x.status === status);
    if (!isStill(version, 'building') || !isStill(liveVersion, 'live'))
      throw new VersionNotBuildingError(view.name, version);
    const liveOffsets = await lockStoredOffsets(tx, view.name, topic);
    const rebuiltOffsets = await lockStoredOffsets(tx, buildingProgress, topic);
    if (plan.requireSameOffsets && !sameOffsets(liveOffsets, rebuiltOffsets))
      return { kind: 'offsets-differ', liveOffsets, rebuiltOffsets };
    await moveProgress(tx, view.name, progressNameOf(view.name, liveVersion));
    await moveProgress(tx, buildingProgress, view.name);
    // The rebuild held both at the offsets compared; the new live version goes on from there.
    await releaseStoredOffsets(tx, [view.name, progressNameOf(view.name, liveVersion)], topic);
    // A feed reader's cursor, taken from the live version, goes on in the rebuilt one: rows the
    // rebuild left as they were keep their place, the ones it changed come after it.
    for (const [key, table] of Object.entries(live)) {
      const rebuiltTable = building[key];
      if (rebuiltTable !== undefined) await carryFeedPositions(tx, { live: table, rebuilt: rebuiltTable });
    }

    const tables = [...Object.values(live), ...Object.values(building)];
    await tx.query(`LOCK TABLE ${tables.map(quoteIdentifier).join(', ')} IN ACCESS EXCLUSIVE MODE`);
    const suffix = `__v${version}`;
    for (const table of Object.values(live)) {
      await renameTableWithIndexes(tx, table, versionedName(table, liveVersion), (index) =>
        versionedName(index, liveVersion),
      );
      await renameTableWithIndexes(tx, versionedName(table, version), table, (index) =>
        index.endsWith(suffix) ? index.slice(0, -suffix.length) : index,
      );
    }
    await tx.query(
      `UPDATE view_versions SET status = 'retired', retired_at = now(), tables = $3::jsonb
        WHERE view = $1::text AND version = $2::int`,
      [view.name, liveVersion, JSON.stringify(retired)],
    );
    await tx.query(
      `UPDATE view_versions SET status = 'live', swapped_at = now(), tables = $3::jsonb
        WHERE view = $1::text AND version = $2::int`,
      [view.name, version, JSON.stringify(live)],
    );
    return {
      kind: 'swapped',
      compared,
      swappedAt: { live: liveOffsets, rebuilt: rebuiltOffsets },
      retiredTables: retired,
    };
  });
}
